"""The audit log's pages (ADM-6): per establishment and for the whole academy, with CSV export."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Response, g, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from wtforms import SelectChoice

from teleservices.admin import audit, audit_export
from teleservices.admin.access import ADMINISTRATORS, require_staff
from teleservices.admin.blueprints import bp
from teleservices.admin.forms import AuditFilterForm
from teleservices.extensions import db
from teleservices.tenancy.models import Establishment

PER_PAGE = 50
EXPORT_LIMIT = 100_000


def _establishments() -> list[Establishment]:
    return list(db.session.execute(select(Establishment).order_by(Establishment.name)).scalars())


def _filters(academy_wide: bool) -> tuple[AuditFilterForm, audit.AuditFilter]:
    form = AuditFilterForm(request.args)
    form.action.choices = [SelectChoice("", _("Toutes"))] + [
        SelectChoice(code, _(label))
        for code, label in sorted(audit.ACTION_LABELS.items(), key=lambda item: item[1])
    ]
    establishment_id = None
    if academy_wide:
        establishments = _establishments()
        form.establishment.choices = [SelectChoice("", _("Tous"))] + [
            SelectChoice(e.uai, f"{e.name} ({e.uai})") for e in establishments
        ]
        by_uai = {e.uai: e.id for e in establishments}
        establishment_id = by_uai.get(str(form.establishment.data or ""))
    form.validate()
    action = form.action.data if form.action.data in audit.ACTION_LABELS else ""
    filters = audit.AuditFilter(
        action=action or "",
        actor=(form.actor.data or "").strip() if not form.actor.errors else "",
        start=form.start.data if not form.start.errors else None,
        end=form.end.data if not form.end.errors else None,
        establishment_id=establishment_id,
    )
    return form, filters


def _page(academy_wide: bool, establishment: Establishment | None) -> str:
    form, filters = _filters(academy_wide)
    statement = audit.query(filters, establishment)
    total = db.session.execute(
        statement.with_only_columns(func.count(audit.AuditEntry.id)).order_by(None)
    ).scalar_one()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    entries = (
        db.session.execute(statement.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).scalars().all()
    )
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page"}
    if establishment is not None:
        csv_url = url_for(".establishment_audit_csv", uai=establishment.uai, **args)
    else:
        csv_url = url_for(".academy_audit_csv", **args)
    return render_template(
        "admin/audit.html",
        establishment=establishment,
        academy_wide=academy_wide,
        form=form,
        entries=entries,
        total=total,
        page=page,
        pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
        args=args,
        csv_url=csv_url,
        uai_by_id={e.id: e.uai for e in _establishments()} if academy_wide else {},
    )


def _csv(establishment: Establishment | None, academy_wide: bool) -> Response:
    _form, filters = _filters(academy_wide)
    entries = db.session.execute(audit.query(filters, establishment).limit(EXPORT_LIMIT)).scalars()
    uai_by_id = {e.id: e.uai for e in _establishments()}
    name = establishment.uai if establishment is not None else g.academy.code
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return Response(
        audit_export.to_csv(entries, uai_by_id),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="journal-{name}-{stamp}.csv"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/etablissements/<uai>/journal")
@require_staff(establishment_from="uai")
def establishment_audit(establishment: Establishment) -> str:
    """The establishment's audit log, filterable."""
    return _page(False, establishment)


@bp.get("/etablissements/<uai>/journal.csv")
@require_staff(establishment_from="uai")
def establishment_audit_csv(establishment: Establishment) -> Response:
    """The establishment's audit log as CSV (same filters)."""
    return _csv(establishment, False)


@bp.get("/journal")
@require_staff(ADMINISTRATORS)
def academy_audit() -> str:
    """The academy's audit log, every establishment (academy and platform administrators)."""
    return _page(True, None)


@bp.get("/journal.csv")
@require_staff(ADMINISTRATORS)
def academy_audit_csv() -> Response:
    """The academy's audit log as CSV."""
    return _csv(None, True)
