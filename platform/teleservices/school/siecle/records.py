"""Validated SIECLE data, ready to apply: typed records keyed as the files key them.

``values`` dictionaries hold column values under the model's attribute names, so applying them
is a comparison and a bulk write, not a mapping exercise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class StudentRecord:
    """An ``ELEVE``: its columns, and the codes its MEF, division and groups are known by."""

    line: int
    eleve_id: str
    values: dict[str, Any]
    mef_code: str
    division_code: str = ""
    group_codes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class PersonRecord:
    """A ``PERSONNE`` of the responsables file, with the address it points to."""

    line: int
    personne_id: str
    values: dict[str, Any]
    address_id: str


@dataclass(slots=True)
class LinkRecord:
    """A ``RESPONSABLE_ELEVE``: which person is responsible for which student, and how."""

    line: int
    eleve_id: str
    personne_id: str
    values: dict[str, Any]


@dataclass
class SiecleData:
    """Everything read from the files of one import; ``files`` maps each root read to its file."""

    files: dict[str, str] = field(default_factory=dict)
    students: dict[str, StudentRecord] = field(default_factory=dict)
    persons: dict[str, PersonRecord] = field(default_factory=dict)
    addresses: dict[str, dict[str, str]] = field(default_factory=dict)
    links: dict[tuple[str, str], LinkRecord] = field(default_factory=dict)
    mefs: dict[str, dict[str, str]] = field(default_factory=dict)
    subjects: dict[str, dict[str, str]] = field(default_factory=dict)
    divisions: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)

    def file_of(self, root: str) -> str | None:
        """The name of the file of that kind (root element) in this import, if any."""
        return self.files.get(root)
