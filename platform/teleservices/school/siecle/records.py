"""Validated SIECLE data, ready to apply: what each kind of record holds, and what stays in memory.

Per-student records (students, their structures, persons, addresses, links) are kept on disk in
the import's ``Staging`` database, never as Python objects for the whole file: they come back
batch by batch as the compact records below when applied. Only the short coded lists (MEFs,
subjects, divisions, groups of the nomenclature and structures files) stay in ``SiecleData``.
``values`` dictionaries hold column values under the model's attribute names, so applying them
is a comparison and a bulk write, not a mapping exercise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from teleservices.school.siecle.staging import Staging

Kind = Literal["text", "date", "flag", "int", "int?"]

# The columns each kind of record sets, with how they are stored in the staging database.
STUDENT_FIELDS: dict[str, Kind] = {
    "eleve_id": "text",
    "elenoet": "text",
    "ine": "text",
    "last_name": "text",
    "usage_name": "text",
    "first_name": "text",
    "first_name_2": "text",
    "first_name_3": "text",
    "birth_date": "date",
    "birth_country_code": "text",
    "birth_department_code": "text",
    "birth_commune_code": "text",
    "birth_city": "text",
    "sex": "text",
    "regime_code": "text",
    "email": "text",
    "phone_home": "text",
    "phone_mobile": "text",
    "phone_work": "text",
    "accepts_sms": "flag",
    "entry_date": "date",
    "exit_date": "date",
}
PERSON_FIELDS: dict[str, Kind] = {
    "personne_id": "text",
    "civility": "text",
    "last_name": "text",
    "usage_name": "text",
    "first_name": "text",
    "profession_code": "text",
    "phone_home": "text",
    "phone_mobile": "text",
    "phone_work": "text",
    "email": "text",
    "accepts_sms": "flag",
    "shares_address": "flag",
}
ADDRESS_FIELDS: dict[str, Kind] = {
    "address_line_1": "text",
    "address_line_2": "text",
    "address_line_3": "text",
    "address_line_4": "text",
    "postal_code": "text",
    "city": "text",
    "country": "text",
}
LINK_FIELDS: dict[str, Kind] = {
    "level": "int",
    "legal_rank": "int?",
    "relationship_code": "text",
    "pays_school_fees": "flag",
    "financially_responsible": "flag",
    "payer": "flag",
    "contact": "flag",
}


class Codec:
    """Values of one kind of record to and from a staging row: dates as day numbers (``None``
    stays ``NULL``), the rest as is (SQLite keeps a flag as 0 or 1, read back as ``bool``)."""

    def __init__(self, fields: dict[str, Kind]) -> None:
        self.names = tuple(fields)
        self._dates = [i for i, kind in enumerate(fields.values()) if kind == "date"]
        self._date_names = [name for name, kind in fields.items() if kind == "date"]
        self._flag_names = [name for name, kind in fields.items() if kind == "flag"]

    def encode(self, values: dict[str, Any]) -> list[Any]:
        row = [values[name] for name in self.names]
        for i in self._dates:
            if row[i] is not None:
                row[i] = row[i].toordinal()
        return row

    def decode(self, row: Sequence[Any]) -> dict[str, Any]:
        values = dict(zip(self.names, row, strict=True))
        for name in self._date_names:
            if values[name] is not None:
                values[name] = date.fromordinal(values[name])
        for name in self._flag_names:
            values[name] = bool(values[name])
        return values


STUDENT_CODEC = Codec(STUDENT_FIELDS)
PERSON_CODEC = Codec(PERSON_FIELDS | ADDRESS_FIELDS)
PERSON_ONLY_CODEC = Codec(PERSON_FIELDS)
ADDRESS_CODEC = Codec(ADDRESS_FIELDS)
LINK_CODEC = Codec(LINK_FIELDS)


@dataclass(slots=True, frozen=True)
class StudentRecord:
    """An ``ELEVE``: its columns, the codes its MEF, division and groups are known by, and the
    id of the student row it was matched to before applying (``None``: a new student)."""

    line: int
    eleve_id: str
    values: dict[str, Any]
    mef_code: str
    division_code: str = ""
    group_codes: tuple[str, ...] = ()
    row_id: int | None = None


@dataclass(slots=True, frozen=True)
class PersonRecord:
    """A ``PERSONNE`` of the responsables file: ``row`` holds its columns as stored, those of
    ``PERSON_FIELDS`` then those of its address (``ADDRESS_FIELDS``, blank when not found); it
    compares equal to the same columns read from the database."""

    seq: int
    personne_id: str
    row: tuple[Any, ...]

    @property
    def values(self) -> dict[str, Any]:
        return PERSON_CODEC.decode(self.row)


@dataclass(slots=True, frozen=True)
class LinkRecord:
    """A ``RESPONSABLE_ELEVE``, with the ids of the student and representative rows it joins;
    ``row`` holds the columns of ``LINK_FIELDS`` as stored (it compares equal to the same
    columns read from the database)."""

    seq: int
    student_id: int
    representative_id: int
    row: tuple[Any, ...]

    @property
    def values(self) -> dict[str, Any]:
        return LINK_CODEC.decode(self.row)


@dataclass
class SiecleData:
    """Everything read from the files of one import; ``files`` maps each root read to its file.

    Coded lists are small and kept here; per-student records are in ``staging``.
    """

    staging: Staging
    files: dict[str, str] = field(default_factory=dict)
    mefs: dict[str, dict[str, str]] = field(default_factory=dict)
    subjects: dict[str, dict[str, str]] = field(default_factory=dict)
    divisions: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)

    def file_of(self, root: str) -> str | None:
        """The name of the file of that kind (root element) in this import, if any."""
        return self.files.get(root)
