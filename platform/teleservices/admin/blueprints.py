"""The staff area's blueprints: ``admin`` under ``/<academy>/admin`` and ``platform_admin`` under
``/admin`` (platform administrators). Views attach to them from the ``views_*`` modules."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from teleservices.admin.access import current_staff
from teleservices.admin.audit import readable
from teleservices.admin.models import ROLE_LABELS

bp = Blueprint("admin", __name__, url_prefix="/<academy>/admin")
platform_bp = Blueprint("platform_admin", __name__, url_prefix="/admin")


def _template_context() -> dict[str, Any]:
    return {"staff_user": current_staff(), "ROLE_LABELS": ROLE_LABELS, "readable": readable}


bp.context_processor(_template_context)
platform_bp.context_processor(_template_context)
