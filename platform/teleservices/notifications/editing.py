"""Editing the letter templates of an establishment (NOT-2): save, reset, read the text in force.

``save_template`` sanitises the staff's header and body, refuses a template that lost the
identifier field (or, for a new-account letter, the password field) with a French message naming
the missing field, and stores the rest. A part equal to the default is stored as "default", so an
establishment keeps benefiting from updates of the default texts. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import select

from teleservices.extensions import db
from teleservices.notifications import defaults, sanitizer
from teleservices.notifications.fields import missing_fields
from teleservices.notifications.kinds import LetterKind
from teleservices.notifications.models import LetterTemplate
from teleservices.tenancy.models import Establishment

Part = Literal["header", "body", "all"]


class TemplateRefusedError(ValueError):
    """A template that cannot be used: it lacks a field the letter must give."""

    def __init__(self, kind: LetterKind, missing: list[str]) -> None:
        self.kind = kind
        self.missing = missing
        tokens = " et ".join(f"[{name}]" for name in missing)
        what = (
            f"le champ {tokens}, indispensable"
            if len(missing) == 1
            else f"les champs {tokens}, indispensables"
        )
        super().__init__(
            f"Le courrier « {kind.label} » n'est pas enregistré : il doit contenir {what} "
            "au destinataire pour se connecter."
        )


@dataclass(frozen=True)
class EffectiveTemplate:
    """The header and body used for a letter kind of an establishment."""

    kind: LetterKind
    header_html: str
    body_html: str
    header_is_default: bool
    body_is_default: bool
    updated_at: datetime | None = None
    updated_by: str = ""

    @property
    def is_default(self) -> bool:
        return self.header_is_default and self.body_is_default


def _effective(kind: LetterKind, row: LetterTemplate | None) -> EffectiveTemplate:
    header = row.header_html if row is not None else None
    body = row.body_html if row is not None else None
    return EffectiveTemplate(
        kind=kind,
        header_html=header if header is not None else defaults.default_header(kind),
        body_html=body if body is not None else defaults.default_body(kind),
        header_is_default=header is None,
        body_is_default=body is None,
        updated_at=row.updated_at if row is not None else None,
        updated_by=row.updated_by if row is not None else "",
    )


def find_template(establishment: Establishment, kind: LetterKind) -> LetterTemplate | None:
    """The establishment's stored template of this kind, if it ever edited one."""
    return db.session.execute(
        select(LetterTemplate).filter_by(establishment_id=establishment.id, kind=kind)
    ).scalar_one_or_none()


def effective_template(establishment: Establishment, kind: LetterKind) -> EffectiveTemplate:
    """The text in force for a kind: the establishment's own parts, else the defaults."""
    return _effective(kind, find_template(establishment, kind))


def effective_templates(establishment: Establishment) -> dict[LetterKind, EffectiveTemplate]:
    """The text in force for every kind, in one query (a batch of letters of mixed kinds)."""
    rows = {
        row.kind: row
        for row in db.session.execute(
            select(LetterTemplate).filter_by(establishment_id=establishment.id)
        ).scalars()
    }
    return {kind: _effective(kind, rows.get(kind)) for kind in LetterKind}


def checked_parts(kind: LetterKind, header_html: str, body_html: str) -> tuple[str, str]:
    """The sanitised header and body, or ``TemplateRefusedError`` when a required field is gone."""
    header = sanitizer.clean(header_html)
    body = sanitizer.clean(body_html)
    missing = missing_fields(kind, header, body)
    if missing:
        raise TemplateRefusedError(kind, missing)
    return header, body


def save_template(
    establishment: Establishment,
    kind: LetterKind,
    header_html: str,
    body_html: str,
    updated_by: str = "",
) -> EffectiveTemplate:
    """Sanitise, check and store the establishment's header and body for a letter kind."""
    header, body = checked_parts(kind, header_html, body_html)
    row = find_template(establishment, kind)
    if row is None:
        row = LetterTemplate(
            academy_id=establishment.academy_id, establishment_id=establishment.id, kind=kind
        )
        db.session.add(row)
    row.header_html = None if header == defaults.default_header(kind) else header
    row.body_html = None if body == defaults.default_body(kind) else body
    row.updated_by = updated_by
    row.updated_at = _now()
    db.session.flush()
    return _effective(kind, row)


def reset_template(
    establishment: Establishment, kind: LetterKind, part: Part = "all", updated_by: str = ""
) -> EffectiveTemplate:
    """Go back to the default header, body or both of a letter kind."""
    row = find_template(establishment, kind)
    if row is None:
        return _effective(kind, None)
    if part in ("header", "all"):
        row.header_html = None
    if part in ("body", "all"):
        row.body_html = None
    if row.header_html is None and row.body_html is None:
        db.session.delete(row)
        db.session.flush()
        return _effective(kind, None)
    row.updated_by = updated_by
    row.updated_at = _now()
    db.session.flush()
    return _effective(kind, row)


def _now() -> datetime:
    return datetime.now(UTC)
