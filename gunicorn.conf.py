"""Production serving: `make serve` (gunicorn -c gunicorn.conf.py wsgi:app).

One process, because trainings and their live state live in the process (webapp/jobs.py); many threads,
because each open run page holds one for its event stream while page and predict requests need others.
"""

bind = "127.0.0.1:8000"
workers = 1
worker_class = "gthread"
threads = 64
timeout = 60
graceful_timeout = 30     # the runner stops trainings at exit; they end as "interrupted", resumable
accesslog = "-"
