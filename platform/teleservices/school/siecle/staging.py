"""The import's scratch store: validated per-student records on disk, not in memory.

A private temporary SQLite database (``sqlite3.connect("")``: on disk, deleted when closed,
pages cached up to ``CACHE_KIB``) receives each record as soon as it is checked, so memory does
not grow with the file: the checks that need the whole file (duplicates, a link to an unknown
person, structures of an unknown student, codes in use) are queries, and the apply step reads
the records back batch by batch, in file order. It also holds what the apply step learns per
record (the id of the matched row) and sets of ids (``mark``) too large to keep as Python sets.

Records keep their first position when a later one replaces them (``ON CONFLICT … DO UPDATE``),
as a dictionary assignment would.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from types import TracebackType
from typing import Any

from teleservices.school.siecle.records import (
    ADDRESS_FIELDS,
    LINK_FIELDS,
    PERSON_FIELDS,
    STUDENT_FIELDS,
    Kind,
    LinkRecord,
    PersonRecord,
    StudentRecord,
    decode,
    encode,
)

BATCH = 2000
CACHE_KIB = 16 * 1024
GROUP_SEPARATOR = "\x1f"  # cannot occur in XML 1.0 text


def _columns(fields: dict[str, Kind]) -> str:
    return ", ".join(
        f"{name} {'TEXT' if kind == 'text' else 'INTEGER'}" for name, kind in fields.items()
    )


def _encoded(fields: dict[str, Kind], values: dict[str, Any]) -> list[Any]:
    return [encode(kind, values[name]) for name, kind in fields.items()]


def _decoded(fields: dict[str, Kind], row: Sequence[Any]) -> dict[str, Any]:
    return {
        name: decode(kind, value) for (name, kind), value in zip(fields.items(), row, strict=True)
    }


def _names(prefix: str, fields: dict[str, Kind]) -> str:
    return ", ".join(f"{prefix}.{name}" for name in fields)


def _marks(count: int) -> str:
    return ", ".join("?" * count)


# Table and column names below come from the constants of ``records``; values are bound.
_SCHEMA = f"""
CREATE TABLE student (
    seq INTEGER PRIMARY KEY, line INTEGER NOT NULL, mef_code TEXT NOT NULL, row_id INTEGER,
    {_columns(STUDENT_FIELDS)}
);
CREATE UNIQUE INDEX student_eleve_id ON student (eleve_id);
CREATE INDEX student_ine ON student (ine);
CREATE TABLE structure (
    seq INTEGER PRIMARY KEY, line INTEGER NOT NULL, eleve_id TEXT NOT NULL UNIQUE,
    division TEXT NOT NULL, groups TEXT NOT NULL
);
CREATE TABLE person (
    seq INTEGER PRIMARY KEY, line INTEGER NOT NULL, address_id TEXT NOT NULL, row_id INTEGER,
    {_columns(PERSON_FIELDS)}
);
CREATE UNIQUE INDEX person_personne_id ON person (personne_id);
CREATE TABLE address (address_id TEXT PRIMARY KEY, {_columns(ADDRESS_FIELDS)});
CREATE TABLE link (
    seq INTEGER PRIMARY KEY, line INTEGER NOT NULL, eleve_id TEXT NOT NULL,
    personne_id TEXT NOT NULL, {_columns(LINK_FIELDS)}, UNIQUE (eleve_id, personne_id)
);
CREATE TABLE mark (kind TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (kind, id)) WITHOUT ROWID;
"""
_INSERT_STUDENT = (
    f"INSERT INTO student (line, mef_code, {', '.join(STUDENT_FIELDS)}) "  # noqa: S608
    f"VALUES ({_marks(2 + len(STUDENT_FIELDS))})"
)
_INSERT_PERSON = (
    f"INSERT INTO person (line, address_id, {', '.join(PERSON_FIELDS)}) "  # noqa: S608
    f"VALUES ({_marks(2 + len(PERSON_FIELDS))})"
)
_INSERT_ADDRESS = (
    f"INSERT OR REPLACE INTO address (address_id, {', '.join(ADDRESS_FIELDS)}) "  # noqa: S608
    f"VALUES ({_marks(1 + len(ADDRESS_FIELDS))})"
)
_UPSERT_LINK = (
    f"INSERT INTO link (line, eleve_id, personne_id, {', '.join(LINK_FIELDS)}) "  # noqa: S608
    f"VALUES ({_marks(3 + len(LINK_FIELDS))}) ON CONFLICT (eleve_id, personne_id) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in ("line", *LINK_FIELDS))
)
_STUDENTS = (
    "SELECT s.seq, s.line, s.mef_code, s.row_id, st.division, st.groups, "  # noqa: S608
    f"{_names('s', STUDENT_FIELDS)} FROM student s "
    "LEFT JOIN structure st ON st.eleve_id = s.eleve_id WHERE s.seq > ? ORDER BY s.seq LIMIT ?"
)
_PERSONS = (
    f"SELECT p.seq, {_names('p', PERSON_FIELDS)}, {_names('a', ADDRESS_FIELDS)} "  # noqa: S608
    "FROM person p LEFT JOIN address a ON a.address_id = p.address_id "
    "WHERE p.seq > ? ORDER BY p.seq LIMIT ?"
)
_LINKS = (
    f"SELECT l.seq, l.eleve_id, p.row_id, {_names('l', LINK_FIELDS)} FROM link l "  # noqa: S608
    "JOIN person p ON p.personne_id = l.personne_id WHERE l.seq > ? ORDER BY l.seq LIMIT ?"
)


class Staging:
    """The scratch database of one import (a context manager: closing it deletes it)."""

    def __init__(self) -> None:
        self._db = sqlite3.connect("", isolation_level=None)
        self._db.executescript(
            f"PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; "
            f"PRAGMA cache_size = -{CACHE_KIB}; PRAGMA temp_store = FILE; {_SCHEMA} BEGIN;"
        )

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Staging:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _one(self, sql: str, params: Sequence[Any]) -> Any:
        row = self._db.execute(sql, params).fetchone()
        return row[0] if row is not None else None

    def _pages(self, sql: str, size: int = BATCH) -> Iterator[list[Any]]:
        """Rows of ``sql`` (whose first column is ``seq``, bound as ``seq > ? … LIMIT ?``), a page
        at a time: each page is read in full, so the caller may write between pages."""
        last = 0
        while rows := self._db.execute(sql, (last, size)).fetchall():
            yield rows
            last = rows[-1][0]

    # -- reading: records in, checks that need the whole file --------------------------------
    def student_line(self, eleve_id: str) -> int | None:
        """The line of the student already read with that ``ELEVE_ID``, if any."""
        return self._one("SELECT line FROM student WHERE eleve_id = ?", (eleve_id,))

    def add_student(self, line: int, mef_code: str, values: dict[str, Any]) -> None:
        self._db.execute(_INSERT_STUDENT, (line, mef_code, *_encoded(STUDENT_FIELDS, values)))

    def set_structures(self, line: int, eleve_id: str, division: str, groups: list[str]) -> None:
        """A student's division and groups (the last ``STRUCTURES_ELEVE`` of a student wins)."""
        self._db.execute(
            "INSERT INTO structure (line, eleve_id, division, groups) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (eleve_id) DO UPDATE SET line = excluded.line, "
            "division = excluded.division, groups = excluded.groups",
            (line, eleve_id, division, GROUP_SEPARATOR.join(groups)),
        )

    def structures_of_unknown_students(self) -> Iterator[tuple[int, str]]:
        """(line, ``ELEVE_ID``) of structures naming no student read."""
        yield from self._db.execute(
            "SELECT line, eleve_id FROM structure st WHERE NOT EXISTS "
            "(SELECT 1 FROM student s WHERE s.eleve_id = st.eleve_id) ORDER BY seq"
        )

    def person_line(self, personne_id: str) -> int | None:
        """The line of the person already read with that ``PERSONNE_ID``, if any."""
        return self._one("SELECT line FROM person WHERE personne_id = ?", (personne_id,))

    def add_person(self, line: int, address_id: str, values: dict[str, Any]) -> None:
        self._db.execute(_INSERT_PERSON, (line, address_id, *_encoded(PERSON_FIELDS, values)))

    def add_address(self, address_id: str, values: dict[str, Any]) -> None:
        """An ``ADRESSE`` (a later one with the same ``ADRESSE_ID`` replaces it)."""
        self._db.execute(_INSERT_ADDRESS, (address_id, *_encoded(ADDRESS_FIELDS, values)))

    def persons_without_address(self) -> Iterator[tuple[int, str, str]]:
        """(line, ``PERSONNE_ID``, ``ADRESSE_ID``) of persons whose address was not read."""
        yield from self._db.execute(
            "SELECT line, personne_id, address_id FROM person p WHERE address_id != '' AND NOT "
            "EXISTS (SELECT 1 FROM address a WHERE a.address_id = p.address_id) ORDER BY seq"
        )

    def has_link(self, eleve_id: str, personne_id: str) -> bool:
        return bool(
            self._one(
                "SELECT 1 FROM link WHERE eleve_id = ? AND personne_id = ?", (eleve_id, personne_id)
            )
        )

    def add_link(self, line: int, eleve_id: str, personne_id: str, values: dict[str, Any]) -> None:
        """A ``RESPONSABLE_ELEVE`` (a later one for the same pair replaces it, in its place)."""
        self._db.execute(
            _UPSERT_LINK, (line, eleve_id, personne_id, *_encoded(LINK_FIELDS, values))
        )

    def links_to_unknown_persons(self) -> Iterator[tuple[int, str]]:
        """(line, ``PERSONNE_ID``) of links naming no person read."""
        yield from self._db.execute(
            "SELECT line, personne_id FROM link l WHERE NOT EXISTS "
            "(SELECT 1 FROM person p WHERE p.personne_id = l.personne_id) ORDER BY seq"
        )

    def links_to_unknown_students(self) -> Iterator[tuple[int, str]]:
        """(line, ``ELEVE_ID``) of links naming no student read."""
        yield from self._db.execute(
            "SELECT line, eleve_id FROM link l WHERE NOT EXISTS "
            "(SELECT 1 FROM student s WHERE s.eleve_id = l.eleve_id) ORDER BY seq"
        )

    def link_students(self) -> Iterator[list[tuple[int, int, str]]]:
        """(seq, line, ``ELEVE_ID``) of every link, in pages."""
        return self._pages(
            "SELECT seq, line, eleve_id FROM link WHERE seq > ? ORDER BY seq LIMIT ?"
        )

    # -- applying: codes in use, records out in pages, what was matched ---------------------
    def mef_codes(self) -> set[str]:
        """Codes of the MEFs the students are in."""
        return {
            code
            for (code,) in self._db.execute(
                "SELECT DISTINCT mef_code FROM student WHERE mef_code != ''"
            )
        }

    def division_codes(self) -> set[str]:
        """Codes of the divisions the students are in."""
        return {
            code
            for (code,) in self._db.execute(
                "SELECT DISTINCT division FROM structure st WHERE division != '' AND EXISTS "
                "(SELECT 1 FROM student s WHERE s.eleve_id = st.eleve_id)"
            )
        }

    def group_codes(self) -> set[str]:
        """Codes of the groups the students are in."""
        codes: set[str] = set()
        for (groups,) in self._db.execute(
            "SELECT DISTINCT groups FROM structure st WHERE groups != '' AND EXISTS "
            "(SELECT 1 FROM student s WHERE s.eleve_id = st.eleve_id)"
        ):
            codes.update(groups.split(GROUP_SEPARATOR))
        return codes

    def student_ids(self) -> Iterator[list[tuple[int, str]]]:
        """(seq, ``ELEVE_ID``) of every student, in pages."""
        return self._pages("SELECT seq, eleve_id FROM student WHERE seq > ? ORDER BY seq LIMIT ?")

    def match_students(self, matches: Iterable[tuple[int, int]]) -> None:
        """Record the row each (seq, row id) pair's student is matched to."""
        self._db.executemany(
            "UPDATE student SET row_id = ? WHERE seq = ?", ((r, s) for s, r in matches)
        )

    def unmatched_unique_ines(self) -> Iterator[list[tuple[str, int]]]:
        """(INE, seq) of the INEs carried by exactly one unmatched student, in pages."""
        last = ""
        while rows := self._db.execute(
            "SELECT ine, min(seq) FROM student WHERE row_id IS NULL AND ine > ? "
            "GROUP BY ine HAVING count(*) = 1 ORDER BY ine LIMIT ?",
            (last, BATCH),
        ).fetchall():
            yield rows
            last = rows[-1][0]

    def students(self) -> Iterator[list[StudentRecord]]:
        """Every student with its structures and matched row, in pages, in file order."""
        width = len(STUDENT_FIELDS)
        for rows in self._pages(_STUDENTS):
            yield [
                StudentRecord(
                    line=row[1],
                    eleve_id=row[6],
                    values=_decoded(STUDENT_FIELDS, row[6 : 6 + width]),
                    mef_code=row[2],
                    division_code=row[4] or "",
                    group_codes=tuple(row[5].split(GROUP_SEPARATOR)) if row[5] else (),
                    row_id=row[3],
                )
                for row in rows
            ]

    def persons(self) -> Iterator[list[PersonRecord]]:
        """Every person with its address's columns (blank when not found), in pages."""
        fields = PERSON_FIELDS | ADDRESS_FIELDS
        for rows in self._pages(_PERSONS):
            yield [PersonRecord(row[0], row[1], _decoded(fields, row[1:])) for row in rows]

    def set_person_ids(self, ids: Iterable[tuple[int, int]]) -> None:
        """Record the representative row of each (seq, row id) pair's person."""
        self._db.executemany("UPDATE person SET row_id = ? WHERE seq = ?", ((r, s) for s, r in ids))

    def known_persons(self, personne_ids: Sequence[str]) -> set[str]:
        """Those of ``personne_ids`` that the file lists."""
        return {
            personne_id
            for (personne_id,) in self._db.execute(
                f"SELECT personne_id FROM person WHERE personne_id IN ({_marks(len(personne_ids))})",  # noqa: S608
                personne_ids,
            )
        }

    def links(self) -> Iterator[list[LinkRecord]]:
        """Every link to a person of the file (with its representative row), in pages."""
        for rows in self._pages(_LINKS):
            yield [LinkRecord(row[1], row[2], _decoded(LINK_FIELDS, row[3:])) for row in rows]

    def mark(self, kind: str, ids: Iterable[int]) -> None:
        """Remember ``ids`` in the set named ``kind``."""
        self._db.executemany(
            "INSERT OR IGNORE INTO mark (kind, id) VALUES (?, ?)", ((kind, i) for i in ids)
        )

    def marked(self, kind: str, ids: Sequence[int]) -> set[int]:
        """Those of ``ids`` (at most a page of them) in the set named ``kind``."""
        return {
            i
            for (i,) in self._db.execute(
                f"SELECT id FROM mark WHERE kind = ? AND id IN ({_marks(len(ids))})",  # noqa: S608
                (kind, *ids),
            )
        }
