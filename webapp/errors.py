"""Error pages for people: a clear sentence and a way back, with the right status. (The API answers JSON.)"""

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: "The request could not be understood.",
    404: "There is nothing here.",
    405: "That page does not accept this kind of request.",
    413: "That upload or form is too large.",
    429: "Too many requests at once.",
}


def register(app):
    @app.errorhandler(CSRFError)
    def csrf_error(e):
        message = (f"This form's security token is missing or out of date ({e.description}). "
                   f"Reload the page and send it again.")
        return _page(400, message)

    @app.errorhandler(HTTPException)
    def http_error(e):
        if request.path.startswith("/api/"):   # e.g. an unknown API address: still JSON
            return jsonify(error=e.description or e.name, field=None), e.code
        return _page(e.code, e.description or MESSAGES.get(e.code, e.name))


def _page(status, message):
    return render_template("error.html", status=status, message=message), status
