"""Read a data import into ``ImportRow`` records: a CSV file (``;`` or ``,``, UTF-8 or
Windows-1252, a header line) or a JSON array of objects. The columns are checked here, once for
every importer; a malformed input raises ``ImportRejected`` with every reason found."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from teleservices.declarations import Importer, ImportRow

MAX_ROWS = 200_000


class ImportRejected(Exception):
    """The input cannot be imported; ``errors`` are « ligne N : raison » strings."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = tuple(errors)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict")


def _column_errors(importer: Importer, found: Sequence[str], where: str) -> list[str]:
    """What is wrong with the columns found (unknown ones, missing required ones)."""
    unknown = [c for c in found if c not in importer.columns]
    missing = [c for c in importer.required if c not in found]
    errors = []
    if unknown:
        errors.append(f"{where} : colonne(s) inconnue(s) : {', '.join(unknown)}")
    if missing:
        errors.append(f"{where} : colonne(s) obligatoire(s) absente(s) : {', '.join(missing)}")
    return errors


def _expected(importer: Importer) -> str:
    return f"Colonnes attendues : {', '.join(importer.columns)}"


def read_csv(importer: Importer, data: bytes) -> list[ImportRow]:
    """The rows of a CSV file whose first line names the columns."""
    try:
        text = _decode(data)
    except UnicodeDecodeError as exc:
        raise ImportRejected(["Le fichier n'est ni en UTF-8 ni en Windows-1252."]) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise ImportRejected(["Le fichier est vide."]) from None
    errors = _column_errors(importer, header, "ligne 1")
    if errors:
        raise ImportRejected([*errors, _expected(importer)])
    rows: list[ImportRow] = []
    try:
        for cells in reader:
            where = f"ligne {reader.line_num}"
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                errors.append(f"{where} : {len(cells)} champs au lieu de {len(header)}")
                continue
            values = dict.fromkeys(importer.columns, "")
            values.update((name, cell.strip()) for name, cell in zip(header, cells, strict=True))
            rows.append(ImportRow(where, values))
            if len(rows) > MAX_ROWS:
                raise ImportRejected([f"Plus de {MAX_ROWS} lignes : découpez le fichier."])
    except csv.Error as exc:
        errors.append(f"ligne {reader.line_num} : CSV mal formé ({exc})")
    if errors:
        raise ImportRejected(errors)
    return rows


def _cell(value: Any) -> str | None:
    if value is None:
        return ""
    if isinstance(value, bool):
        return None
    if isinstance(value, str | int | float):
        return str(value).strip()
    return None


def read_json(importer: Importer, payload: Any) -> list[ImportRow]:
    """The rows of a JSON array of objects keyed by the importer's columns."""
    if not isinstance(payload, list):
        raise ImportRejected(["Le corps doit être un tableau JSON d'objets."])
    if len(payload) > MAX_ROWS:
        raise ImportRejected([f"Plus de {MAX_ROWS} éléments : découpez l'envoi."])
    rows: list[ImportRow] = []
    errors: list[str] = []
    for number, item in enumerate(payload, start=1):
        where = f"élément {number}"
        if not isinstance(item, dict):
            errors.append(f"{where} : un objet JSON est attendu")
            continue
        if problems := _column_errors(importer, [str(k).lower() for k in item], where):
            errors.extend(problems)
            continue
        values = dict.fromkeys(importer.columns, "")
        for key, value in item.items():
            text = _cell(value)
            if text is None:
                errors.append(f"{where} : « {key} » doit être un texte ou un nombre")
            else:
                values[str(key).lower()] = text
        rows.append(ImportRow(where, values))
    if errors:
        raise ImportRejected([*errors, _expected(importer)])
    return rows
