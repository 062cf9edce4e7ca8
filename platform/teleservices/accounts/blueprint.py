"""The ``accounts`` blueprint under ``/<academy>/``: the family screens attach to it from the
``views_*`` modules. Its pages are never cached nor leak their address (single-use links) to other
sites, and a rate-limit breach answers with a French page that points to the recovery screens."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask.wrappers import Response
from werkzeug.exceptions import TooManyRequests

from teleservices.accounts.sessions import current_account

bp = Blueprint("accounts", __name__, url_prefix="/<academy>")


@bp.context_processor
def _template_context() -> dict[str, Any]:
    return {"account_user": current_account()}


@bp.after_request
def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.errorhandler(TooManyRequests)
def _too_many(_error: TooManyRequests) -> tuple[str, int]:
    return render_template("accounts/too_many.html"), 429
