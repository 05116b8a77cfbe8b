"""Entry point for `flask run` in the project root and for WSGI servers: `wsgi:app`."""

from webapp import create_app

app = create_app()
