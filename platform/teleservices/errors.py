"""Error pages in French: 400 (CSRF), 403, 404, 429 (rate limit) and 500 never show a stack trace."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("Requête invalide", "La requête n'a pas pu être traitée."),
    403: ("Accès refusé", "Vous n'avez pas accès à cette page."),
    404: ("Page introuvable", "La page demandée n'existe pas ou n'est pas disponible."),
    405: ("Méthode non autorisée", "Cette action n'est pas possible sur cette page."),
    429: (
        "Trop de tentatives",
        "Vous avez fait trop de tentatives. Veuillez patienter quelques minutes avant de réessayer.",
    ),
    500: (
        "Erreur du service",
        "Une erreur inattendue s'est produite. Veuillez réessayer plus tard.",
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
        400, "Le formulaire a expiré ou n'est pas valide. Veuillez recharger la page et réessayer."
    )


def _server_error(_error: Exception) -> tuple[str, int]:
    return _render(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(500, _server_error)
