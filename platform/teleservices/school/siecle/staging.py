"""The import's scratch store: validated per-student records on disk, not in memory.

A private temporary SQLite database (``sqlite3.connect("")``: on disk, deleted when closed,
pages cached up to ``CACHE_KIB``) receives each record as soon as it is checked, so memory does
not grow with the file: the checks that need the whole file (duplicates, a link to an unknown
person, structures of an unknown student, codes in use) are queries, and the apply step reads
the records back batch by batch, in file order. It also holds what the apply step learns per
record (the id of the matched row) and sets of ids (``mark``) too large to keep as Python sets.

Records are written ``BUFFER`` at a time; until then their keys answer the duplicate checks from
memory. Records keep their first position when a later one replaces them (``ON CONFLICT … DO
UPDATE``), as a dictionary assignment would.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from types import TracebackType
from typing import Any

from teleservices.school.siecle.records import (
    ADDRESS_CODEC,
    ADDRESS_FIELDS,
    LINK_CODEC,
    LINK_FIELDS,
    PERSON_FIELDS,
    PERSON_ONLY_CODEC,
    STUDENT_CODEC,
    STUDENT_FIELDS,
    Kind,
    LinkRecord,
    PersonRecord,
    StudentRecord,
)

BATCH = 2000
BUFFER = 1000
CACHE_KIB = 4 * 1024
GROUP_SEPARATOR = "\x1f"  # cannot occur in XML 1.0 text


def _columns(fields: dict[str, Kind]) -> str:
    return ", ".join(
        f"{name} {'TEXT' if kind == 'text' else 'INTEGER'}" for name, kind in fields.items()
    )


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
CREATE TABLE db_student (eleve_id TEXT PRIMARY KEY, id INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE resolved_link (
    seq INTEGER PRIMARY KEY, student_id INTEGER NOT NULL, representative_id INTEGER NOT NULL,
    found INTEGER, UNIQUE (student_id, representative_id)
);
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
_UPSERT_STRUCTURE = (
    "INSERT INTO structure (line, eleve_id, division, groups) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (eleve_id) DO UPDATE SET line = excluded.line, division = excluded.division, "
    "groups = excluded.groups"
)
_STUDENTS = (
    "SELECT s.seq, s.line, s.mef_code, s.row_id, st.division, st.groups, "  # noqa: S608
    f"{_names('s', STUDENT_FIELDS)} FROM student s "
    "LEFT JOIN structure st ON st.eleve_id = s.eleve_id WHERE s.seq > ? ORDER BY s.seq LIMIT ?"
)
_ADDRESS_COLUMNS = ", ".join(f"coalesce(a.{name}, '')" for name in ADDRESS_FIELDS)
_PERSONS = (
    f"SELECT p.seq, {_names('p', PERSON_FIELDS)}, {_ADDRESS_COLUMNS} "  # noqa: S608
    "FROM person p LEFT JOIN address a ON a.address_id = p.address_id"
)
_NEW_PERSONS = f"{_PERSONS} WHERE p.row_id IS NULL AND p.seq > ? ORDER BY p.seq LIMIT ?"
_LINKS = (
    "SELECT r.seq, r.student_id, r.representative_id, "  # noqa: S608
    f"{_names('l', LINK_FIELDS)} FROM resolved_link r JOIN link l ON l.seq = r.seq"
)
_NEW_LINKS = f"{_LINKS} WHERE r.found IS NULL AND r.seq > ? ORDER BY r.seq LIMIT ?"


class Staging:
    """The scratch database of one import (a context manager: closing it deletes it)."""

    def __init__(self) -> None:
        self._db = sqlite3.connect("", isolation_level=None)
        self._db.executescript(
            f"PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; "
            f"PRAGMA cache_size = -{CACHE_KIB}; PRAGMA temp_store = FILE; {_SCHEMA} BEGIN;"
        )
        # Rows not written yet, by statement, and the keys they carry.
        self._pending: dict[str, list[Sequence[Any]]] = {}
        self._pending_count = 0
        self._students: dict[str, int] = {}
        self._persons: dict[str, int] = {}
        self._links: set[tuple[str, str]] = set()

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

    def _write(self, sql: str, row: Sequence[Any]) -> None:
        self._pending.setdefault(sql, []).append(row)
        self._pending_count += 1
        if self._pending_count >= BUFFER:
            self.flush()

    def flush(self) -> None:
        """Write the buffered records (in the order they came: one statement kind follows another
        only within a file, so the order between kinds does not matter)."""
        for sql, rows in self._pending.items():
            self._db.executemany(sql, rows)
        self._pending.clear()
        self._pending_count = 0
        self._students.clear()
        self._persons.clear()
        self._links.clear()

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        self.flush()
        return self._db.execute(sql, params)

    def _one(self, sql: str, params: Sequence[Any]) -> Any:
        row = self._db.execute(sql, params).fetchone()
        return row[0] if row is not None else None

    def _pages(self, sql: str, size: int = BATCH) -> Iterator[list[Any]]:
        """Rows of ``sql`` (whose first column is ``seq``, bound as ``seq > ? … LIMIT ?``), a page
        at a time: each page is read in full, so the caller may write between pages."""
        last = 0
        while rows := self._execute(sql, (last, size)).fetchall():
            yield rows
            last = rows[-1][0]

    # -- reading: records in, checks that need the whole file --------------------------------
    def student_line(self, eleve_id: str) -> int | None:
        """The line of the student already read with that ``ELEVE_ID``, if any."""
        line = self._students.get(eleve_id)
        if line is None:
            line = self._one("SELECT line FROM student WHERE eleve_id = ?", (eleve_id,))
        return line

    def add_student(self, line: int, mef_code: str, values: dict[str, Any]) -> None:
        self._write(_INSERT_STUDENT, (line, mef_code, *STUDENT_CODEC.encode(values)))
        self._students[values["eleve_id"]] = line

    def set_structures(self, line: int, eleve_id: str, division: str, groups: list[str]) -> None:
        """A student's division and groups (the last ``STRUCTURES_ELEVE`` of a student wins)."""
        self._write(_UPSERT_STRUCTURE, (line, eleve_id, division, GROUP_SEPARATOR.join(groups)))

    def structures_of_unknown_students(self) -> Iterator[tuple[int, str]]:
        """(line, ``ELEVE_ID``) of structures naming no student read."""
        yield from self._execute(
            "SELECT line, eleve_id FROM structure st WHERE NOT EXISTS "
            "(SELECT 1 FROM student s WHERE s.eleve_id = st.eleve_id) ORDER BY seq"
        )

    def person_line(self, personne_id: str) -> int | None:
        """The line of the person already read with that ``PERSONNE_ID``, if any."""
        line = self._persons.get(personne_id)
        if line is None:
            line = self._one("SELECT line FROM person WHERE personne_id = ?", (personne_id,))
        return line

    def add_person(self, line: int, address_id: str, values: dict[str, Any]) -> None:
        self._write(_INSERT_PERSON, (line, address_id, *PERSON_ONLY_CODEC.encode(values)))
        self._persons[values["personne_id"]] = line

    def add_address(self, address_id: str, values: dict[str, Any]) -> None:
        """An ``ADRESSE`` (a later one with the same ``ADRESSE_ID`` replaces it)."""
        self._write(_INSERT_ADDRESS, (address_id, *ADDRESS_CODEC.encode(values)))

    def persons_without_address(self) -> Iterator[tuple[int, str, str]]:
        """(line, ``PERSONNE_ID``, ``ADRESSE_ID``) of persons whose address was not read."""
        yield from self._execute(
            "SELECT line, personne_id, address_id FROM person p WHERE address_id != '' AND NOT "
            "EXISTS (SELECT 1 FROM address a WHERE a.address_id = p.address_id) ORDER BY seq"
        )

    def has_link(self, eleve_id: str, personne_id: str) -> bool:
        return (eleve_id, personne_id) in self._links or bool(
            self._one(
                "SELECT 1 FROM link WHERE eleve_id = ? AND personne_id = ?", (eleve_id, personne_id)
            )
        )

    def add_link(self, line: int, eleve_id: str, personne_id: str, values: dict[str, Any]) -> None:
        """A ``RESPONSABLE_ELEVE`` (a later one for the same pair replaces it, in its place)."""
        self._write(_UPSERT_LINK, (line, eleve_id, personne_id, *LINK_CODEC.encode(values)))
        self._links.add((eleve_id, personne_id))

    def links_to_unknown_persons(self) -> Iterator[tuple[int, str]]:
        """(line, ``PERSONNE_ID``) of links naming no person read."""
        yield from self._execute(
            "SELECT line, personne_id FROM link l WHERE NOT EXISTS "
            "(SELECT 1 FROM person p WHERE p.personne_id = l.personne_id) ORDER BY seq"
        )

    def links_to_unknown_students(self) -> Iterator[tuple[int, str]]:
        """(line, ``ELEVE_ID``) of links naming no student read."""
        yield from self._execute(
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
            for (code,) in self._execute(
                "SELECT DISTINCT mef_code FROM student WHERE mef_code != ''"
            )
        }

    def division_codes(self) -> set[str]:
        """Codes of the divisions the students are in."""
        return {
            code
            for (code,) in self._execute(
                "SELECT DISTINCT division FROM structure st WHERE division != '' AND EXISTS "
                "(SELECT 1 FROM student s WHERE s.eleve_id = st.eleve_id)"
            )
        }

    def group_codes(self) -> set[str]:
        """Codes of the groups the students are in."""
        codes: set[str] = set()
        for (groups,) in self._execute(
            "SELECT DISTINCT groups FROM structure st WHERE groups != '' AND EXISTS "
            "(SELECT 1 FROM student s WHERE s.eleve_id = st.eleve_id)"
        ):
            codes.update(groups.split(GROUP_SEPARATOR))
        return codes

    def match_eleve_ids(self, pages: Iterable[Sequence[tuple[int, str]]], kind: str) -> None:
        """Match each student to the row of ``pages`` (id, ``ELEVE_ID``) with its ``ELEVE_ID``;
        remember the rows matched in the set named ``kind``."""
        self.flush()
        for page in pages:
            self._db.executemany(
                "UPDATE student SET row_id = ? WHERE eleve_id = ?", (tuple(row) for row in page)
            )
        self._db.execute(
            "INSERT OR IGNORE INTO mark (kind, id) "
            "SELECT ?, row_id FROM student WHERE row_id IS NOT NULL",
            (kind,),
        )

    def match_students(self, matches: Iterable[tuple[int, int]]) -> None:
        """Record the row each (seq, row id) pair's student is matched to."""
        self.flush()
        self._db.executemany(
            "UPDATE student SET row_id = ? WHERE seq = ?", ((r, s) for s, r in matches)
        )

    def unmatched_unique_ines(self) -> Iterator[list[tuple[str, int]]]:
        """(INE, seq) of the INEs carried by exactly one unmatched student, in pages."""
        last = ""
        while rows := self._execute(
            "SELECT ine, min(seq) FROM student WHERE row_id IS NULL AND ine > ? "
            "GROUP BY ine HAVING count(*) = 1 ORDER BY ine LIMIT ?",
            (last, BATCH),
        ).fetchall():
            yield rows
            last = rows[-1][0]

    def students(self) -> Iterator[list[StudentRecord]]:
        """Every student with its structures and matched row, in pages, in file order."""
        for rows in self._pages(_STUDENTS):
            yield [
                StudentRecord(
                    line=row[1],
                    eleve_id=row[6],
                    values=STUDENT_CODEC.decode(row[6:]),
                    mef_code=row[2],
                    division_code=row[4] or "",
                    group_codes=tuple(row[5].split(GROUP_SEPARATOR)) if row[5] else (),
                    row_id=row[3],
                )
                for row in rows
            ]

    def persons_by_id(self, personne_ids: Sequence[str]) -> dict[str, PersonRecord]:
        """The persons of the file among ``personne_ids`` (at most a page of them), with their
        address's columns (blank when not found)."""
        rows = self._execute(
            f"{_PERSONS} WHERE p.personne_id IN ({_marks(len(personne_ids))})", personne_ids
        )
        return {row[1]: PersonRecord(row[0], row[1], row[1:]) for row in rows}

    def new_persons(self) -> Iterator[list[PersonRecord]]:
        """The persons without a row yet (``set_person_ids``), in pages, in file order."""
        for rows in self._pages(_NEW_PERSONS):
            yield [PersonRecord(row[0], row[1], row[1:]) for row in rows]

    def set_person_ids(self, ids: Iterable[tuple[int, int]]) -> None:
        """Record the representative row of each (seq, row id) pair's person."""
        self.flush()
        self._db.executemany("UPDATE person SET row_id = ? WHERE seq = ?", ((r, s) for s, r in ids))

    def set_students(self, pages: Iterable[Sequence[tuple[int, str]]]) -> None:
        """Take the establishment's students, (id, ``ELEVE_ID``), and resolve each link to the
        ids of its student and representative rows (a link to a student not enrolled here, or
        to a person without a row, is left out)."""
        self.flush()
        self._db.execute("DELETE FROM db_student")
        for page in pages:
            self._db.executemany(
                "INSERT INTO db_student (id, eleve_id) VALUES (?, ?)", (tuple(row) for row in page)
            )
        self._db.execute("DELETE FROM resolved_link")
        self._db.execute(
            "INSERT INTO resolved_link (seq, student_id, representative_id) "
            "SELECT l.seq, s.id, p.row_id FROM link l "
            "JOIN db_student s ON s.eleve_id = l.eleve_id "
            "JOIN person p ON p.personne_id = l.personne_id WHERE p.row_id IS NOT NULL"
        )

    def links_by_pair(self, pairs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], LinkRecord]:
        """The links of the file among (student id, representative id) ``pairs`` (at most a page
        of them)."""
        if not pairs:
            return {}
        rows = self._execute(
            f"SELECT k.column1, k.column2, l.seq, {_names('l', LINK_FIELDS)} "  # noqa: S608
            f"FROM (VALUES {', '.join(['(?, ?)'] * len(pairs))}) k "
            "CROSS JOIN resolved_link r "
            "ON r.student_id = k.column1 AND r.representative_id = k.column2 "
            "JOIN link l ON l.seq = r.seq",
            [i for pair in pairs for i in pair],
        )
        return {(row[0], row[1]): LinkRecord(row[2], row[0], row[1], row[3:]) for row in rows}

    def set_links_found(self, seqs: Iterable[int]) -> None:
        """Record that these links have their row already."""
        self.flush()
        self._db.executemany(
            "UPDATE resolved_link SET found = 1 WHERE seq = ?", ((seq,) for seq in seqs)
        )

    def new_links(self) -> Iterator[list[LinkRecord]]:
        """The resolved links without a row yet, in pages, in file order."""
        for rows in self._pages(_NEW_LINKS):
            yield [LinkRecord(row[0], row[1], row[2], row[3:]) for row in rows]

    def mark(self, kind: str, ids: Iterable[int]) -> None:
        """Remember ``ids`` in the set named ``kind``."""
        self.flush()
        self._db.executemany(
            "INSERT OR IGNORE INTO mark (kind, id) VALUES (?, ?)", ((kind, i) for i in ids)
        )

    def marked(self, kind: str, ids: Sequence[int]) -> set[int]:
        """Those of ``ids`` (at most a page of them) in the set named ``kind``."""
        return {
            i
            for (i,) in self._execute(
                f"SELECT id FROM mark WHERE kind = ? AND id IN ({_marks(len(ids))})",  # noqa: S608
                (kind, *ids),
            )
        }
