"""What a SIECLE import did: counts per kind of row, warnings, and the rejected lines."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class ImportIssue:
    """One problem in one file: an error rejects the whole import, a warning does not."""

    file: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        if not self.file:
            return self.reason
        where = f"{self.file}, ligne {self.line}" if self.line else self.file
        return f"{where} : {self.reason}"


@dataclass
class Counts:
    """Rows created, updated and removed for one kind of data."""

    created: int = 0
    updated: int = 0
    removed: int = 0


@dataclass
class ImportReport:
    """The outcome of ``import_siecle``: nothing was applied when ``rejected`` is not empty."""

    uai: str
    files: list[dict[str, str]] = field(default_factory=list)
    students: Counts = field(default_factory=Counts)
    left: int = 0
    moved: int = 0
    representatives: Counts = field(default_factory=Counts)
    links: Counts = field(default_factory=Counts)
    mefs: Counts = field(default_factory=Counts)
    subjects: Counts = field(default_factory=Counts)
    divisions: Counts = field(default_factory=Counts)
    groups: Counts = field(default_factory=Counts)
    student_accounts: int = 0
    representative_accounts: int = 0
    accounts_continued: int = 0
    accounts_detached: int = 0
    warnings: list[ImportIssue] = field(default_factory=list)
    rejected: list[ImportIssue] = field(default_factory=list)

    @property
    def applied(self) -> bool:
        return not self.rejected

    def error(self, file: str, line: int | None, reason: str) -> None:
        self.rejected.append(ImportIssue(file, line, reason))

    def warn(self, file: str, line: int | None, reason: str) -> None:
        self.warnings.append(ImportIssue(file, line, reason))

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view (``--json``)."""
        data = asdict(self)
        data["applied"] = self.applied
        return data
