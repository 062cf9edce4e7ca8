"""A téléservice's configuration form (ADM-3): build it from stored values, store what it posts.

Settings are stored as JSON: decimals become strings (``"2.50"``, exact), dates ISO strings; they
are turned back into the field's Python type when the form is shown again. A ``FieldList`` of
``FormField`` rows (e.g. publication dates per MEF and division) is stored as a list of objects and
shown as a table with a « + » button adding a row and a « − » button on each row removing it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import DateField, DateTimeField, DecimalField, FieldList, IntegerField

from teleservices.declarations import SettingsForm

IGNORED_FIELDS = {"csrf_token", "submit"}


def to_json(value: Any) -> Any:
    """A form value as JSON-compatible data."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


def _from_json(field: Any, value: Any) -> Any:
    if value is None or value == "":
        return value
    try:
        if isinstance(field, DecimalField) and not isinstance(value, Decimal):
            return Decimal(str(value))
        if isinstance(field, IntegerField) and not isinstance(value, int):
            return int(value)
        if isinstance(field, DateTimeField) and isinstance(value, str):
            return datetime.fromisoformat(value)
        if isinstance(field, DateField) and isinstance(value, str):
            return date.fromisoformat(value)
    except (ValueError, InvalidOperation):
        return None
    return value


def form_values(form: FlaskForm) -> dict[str, Any]:
    """The posted values of the plugin's fields, JSON-ready."""
    return {
        name: to_json(field.data)
        for name, field in form._fields.items()
        if name not in IGNORED_FIELDS
    }


def build_form(declaration: SettingsForm, stored: dict[str, Any], posted: bool) -> FlaskForm:
    """The plugin's form: bound to the request when ``posted``, else filled with ``stored``."""
    if posted:
        return declaration.form_class()
    form = declaration.form_class(formdata=None)
    for name, field in form._fields.items():
        if name in IGNORED_FIELDS or name not in stored:
            continue
        if isinstance(field, FieldList):
            _fill_rows(field, stored[name])
        else:
            field.data = _from_json(field, stored[name])
    return form


def _fill_rows(field: FieldList, rows: Any) -> None:
    for row in rows if isinstance(rows, list) else []:
        entry = field.append_entry()
        subfields = getattr(entry, "form", None)
        if subfields is None:
            entry.data = _from_json(entry, row)
            continue
        for name, subfield in subfields._fields.items():
            if isinstance(row, dict) and name in row:
                subfield.data = _from_json(subfield, row[name])


def apply_row_action(form: FlaskForm, posted: MultiDict[str, str]) -> bool:
    """Add (« + ») or remove (« − ») a row of a ``FieldList``; True if the post was such an action
    (the form is then shown again, nothing is saved)."""
    added, removed = posted.get("_add", ""), posted.get("_remove", "")
    for name, field in form._fields.items():
        if not isinstance(field, FieldList):
            continue
        if added == name:
            field.append_entry()
            return True
        if removed.startswith(f"{name}-"):
            field.entries = [entry for entry in field.entries if entry.name != removed]
            return True
    return False


def plugin_fields(form: FlaskForm) -> list[Any]:
    """The fields to render (the CSRF token and any submit button are the host's)."""
    return [field for name, field in form._fields.items() if name not in IGNORED_FIELDS]
