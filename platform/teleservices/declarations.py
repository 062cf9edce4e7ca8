"""The typed, frozen declarations that plugins return from their hooks (re-exported by the SDK)."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Blueprint
    from flask_wtf import FlaskForm

    from teleservices.tenancy.models import Establishment


class Audience(enum.StrEnum):
    """Who a téléservice is for."""

    REPRESENTATIVES = "representatives"
    STUDENTS = "students"


@dataclass(frozen=True)
class Mandatory:
    """When a téléservice is mandatory nationally: never, always, or for some establishment types."""

    establishment_types: frozenset[str] = frozenset()
    always: bool = False

    def applies_to(self, establishment_type: str) -> bool:
        return self.always or establishment_type in self.establishment_types

    def describe(self) -> str | list[str]:
        """``"always"``, ``"never"`` or the sorted list of establishment types."""
        if self.always:
            return "always"
        return sorted(self.establishment_types) or "never"


NEVER = Mandatory()
ALWAYS = Mandatory(always=True)


@dataclass(frozen=True)
class Teleservice:
    """A téléservice's declaration (PLG-1), returned by ``teleservices_declare``."""

    code: str
    label: str
    description: str
    audiences: frozenset[Audience] = frozenset({Audience.REPRESENTATIVES})
    mandatory: Mandatory = NEVER
    default_open: bool = True
    requires_module: str | None = None
    stats_category: str = ""
    mobile: bool = True

    def __post_init__(self) -> None:
        if not self.code.isidentifier() or self.code != self.code.lower():
            raise ValueError(
                f"invalid téléservice code {self.code!r}: lowercase identifier expected"
            )
        if not self.label:
            raise ValueError(f"téléservice {self.code!r} has no label")


@dataclass(frozen=True)
class SettingsForm:
    """A téléservice's configuration screen: a WTForms form and the defaults of its fields."""

    code: str
    form_class: type[FlaskForm]
    defaults: Mapping[str, Any] = field(default_factory=dict)
    editable_when_closed: bool = True


@dataclass(frozen=True)
class PortalPages:
    """A téléservice's portal pages: a blueprint the host mounts under its establishment prefix."""

    code: str
    blueprint: Blueprint
    endpoint: str = "index"


@dataclass(frozen=True)
class PortalChild:
    """The student whose pages are shown (a representative's child, or the student themself)."""

    id: int
    first_name: str
    name: str
    birth_date: date | None
    division: str
    mef: str
    establishment_id: int
    ine: str = ""
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class HomeContext:
    """What a home-page entry is computed for: the establishment, its settings, the child."""

    establishment: Establishment
    settings: Mapping[str, Any]
    student_id: int | None = None
    student: PortalChild | None = None


@dataclass(frozen=True)
class HomeEntry:
    """One line of the portal home's services list (POR-2)."""

    code: str
    label: str
    description: str
    url: str
    summary: str = ""
    mobile: bool = True


@dataclass(frozen=True)
class ImportReport:
    """What a data import did; ``errors`` are "line N: reason" strings (then nothing changed)."""

    created: int = 0
    updated: int = 0
    removed: int = 0
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportRow:
    """One record of a data import, as the host read it from a CSV line or a JSON element.

    ``where`` locates it for error messages (« ligne 3 », « élément 2 »); ``values`` maps each
    column of the importer to its text, stripped (missing optional columns are ``""``).
    """

    where: str
    values: Mapping[str, str]


@dataclass(frozen=True)
class Importer:
    """A data importer offered by a plugin: ``teleservices import <code> --academy A --uai U FILE``
    and ``POST /<academy>/api/etablissements/<uai>/import/<code>`` (JSON or CSV).

    The host reads the file (CSV, ``;`` or ``,``, UTF-8 or Windows-1252) or the JSON array, checks
    the ``columns`` (``required`` ones must be present) and calls ``run`` with every row inside a
    transaction: if the report has errors, nothing is kept. When ``student_column`` names the column
    holding the student's ELEVE_ID, the host leaves out the rows of students who have left the
    establishment (software still exports them) and says so in the report's warnings.
    """

    code: str
    description: str
    columns: tuple[str, ...]
    run: Callable[[Establishment, Sequence[ImportRow]], ImportReport]
    required: tuple[str, ...] = ()
    student_column: str = ""


@dataclass(frozen=True)
class JobDeclaration:
    """A background job a plugin offers (run through ``enqueue``)."""

    name: str
    func: Callable[..., Any]
    description: str = ""
