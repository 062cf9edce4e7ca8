"""Languages: French by default, English through Flask-Babel; French date formats.

The language is chosen with ``?lang=fr|en`` on any page (remembered in the session), else the
session's choice, else French. Catalogues live in ``translations/`` and are compiled at setup
(``make setup`` runs ``pybabel compile``); the compiled ``.mo`` files are not committed.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import Flask, request, session
from flask_babel import Babel, format_date, format_datetime, get_locale

LANGUAGES = {"fr": "Français", "en": "English"}
DEFAULT = "fr"

babel = Babel()
# Dates are stored in UTC and shown in the time of metropolitan France.
TIMEZONE = "Europe/Paris"


def local_today() -> date:
    """Today's date in metropolitan France (what « today » means for families and staff)."""
    return datetime.now(ZoneInfo(TIMEZONE)).date()


def select_locale() -> str:
    """The request's language: ``?lang=`` (remembered), the session's choice, else French."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
        return asked
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT


def short_date(value: date | datetime | None) -> str:
    """``lun. 21/02/2011`` (French) / ``Mon 21/02/2011`` (English)."""
    if value is None:
        return ""
    return format_date(value, "EEE dd/MM/yyyy")


def short_datetime(value: datetime | None) -> str:
    """``lun. 21/02/2011 à 14:05`` (French) / ``Mon 21/02/2011 at 14:05`` (English), in Paris
    time (a naive value is UTC)."""
    if value is None:
        return ""
    at = "à" if str(get_locale()) == "fr" else "at"
    return format_datetime(value, f"EEE dd/MM/yyyy '{at}' HH:mm")


def language_url(code: str) -> str:
    """The current page's URL in another language."""
    args = request.args.to_dict()
    args["lang"] = code
    return f"{request.path}?{urlencode(args)}"


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(app.root_path + "/translations"),
        default_timezone=TIMEZONE,
    )
    app.jinja_env.filters["short_date"] = short_date
    app.jinja_env.filters["short_datetime"] = short_datetime
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES, language_url=language_url, current_locale=lambda: str(get_locale())
    )
