"""Error pages in French: 400 (CSRF), 403, 404, 429 (rate limit) and 500 never show a stack trace."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: (_l("Requête invalide"), _l("La requête n'a pas pu être traitée.")),
    403: (_l("Accès refusé"), _l("Vous n'avez pas accès à cette page.")),
    404: (_l("Page introuvable"), _l("La page demandée n'existe pas ou n'est pas disponible.")),
    405: (_l("Méthode non autorisée"), _l("Cette action n'est pas possible sur cette page.")),
    429: (
        _l("Trop de tentatives"),
        _l(
            "Vous avez fait trop de tentatives. Veuillez patienter quelques minutes avant de réessayer."
        ),
    ),
    500: (
        _l("Erreur du service"),
        _l("Une erreur inattendue s'est produite. Veuillez réessayer plus tard."),
    ),
}


def _render(code: int, detail: str | None = None) -> tuple[str, int]:
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template(
        "host/error.html", code=code, title=title, message=detail or message
    ), code


def _http_error(error: HTTPException) -> tuple[str, int]:
    return _render(error.code or 500)


def _csrf_error(_error: CSRFError) -> tuple[str, int]:
    return _render(
        400,
        gettext(
            "Le formulaire a expiré ou n'est pas valide. Veuillez recharger la page et réessayer."
        ),
    )


def _server_error(_error: Exception) -> tuple[str, int]:
    return _render(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(500, _server_error)
