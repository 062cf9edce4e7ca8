"""CSV export of the audit log, safe to open in a spreadsheet (no formula injection).

Cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return are prefixed with a
quote, so that a spreadsheet shows them as text instead of evaluating them. The file is UTF-8 with
a byte-order mark and semicolons, as French spreadsheets expect.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from teleservices.admin.audit import AuditEntry, readable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = [
    "Date",
    "Établissement",
    "Auteur",
    "Type d'auteur",
    "Action",
    "Code action",
    "Objet",
    "Avant",
    "Après",
    "Adresse IP",
]


def escape_cell(value: Any) -> str:
    """The cell's text, neutralised when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _json(value: Any) -> str:
    return "" if value is None else readable(value)


def to_csv(entries: Iterable[AuditEntry], uai_by_id: dict[int, str]) -> str:
    """The entries as CSV text (header first)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for entry in entries:
        row = [
            entry.created_at_local.strftime("%d/%m/%Y %H:%M:%S"),
            uai_by_id.get(entry.establishment_id, "") if entry.establishment_id else "",
            entry.actor_display,
            entry.actor_kind,
            entry.action_label,
            entry.action,
            entry.target,
            _json(entry.before),
            _json(entry.after),
            entry.ip_address,
        ]
        writer.writerow([escape_cell(cell) for cell in row])
    return buffer.getvalue()
