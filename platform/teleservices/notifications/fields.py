"""Insertable fields of the letter templates (NOT-2): ``[Identifiant]``, ``[Mot de passe]``…

A template is compiled once per batch into literal pieces and field names; each letter then fills
the fields with its values, which are HTML-escaped by whoever builds them (``recipients``), so a
name typed as ``<script>`` in SIECLE is printed, never interpreted. A name in brackets that is not
a field is left as typed. Typographic apostrophes are accepted in field names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup

from teleservices.notifications.kinds import LetterKind

IDENTIFIER = "Identifiant"
PASSWORD = "Mot de passe"  # noqa: S105 - a field name, not a password


@dataclass(frozen=True)
class Field:
    """A field staff can insert in a template, and what it prints."""

    name: str
    description: str

    @property
    def token(self) -> str:
        return f"[{self.name}]"


FIELDS: tuple[Field, ...] = (
    Field("Civilité", "Madame, Monsieur (ou « Madame, Monsieur » si inconnue)"),
    Field("Nom", "nom du destinataire"),
    Field("Prénom", "prénom du destinataire"),
    Field(IDENTIFIER, "identifiant du compte"),
    Field(PASSWORD, "mot de passe provisoire (jamais pour un compte utilisé)"),
    Field("Élève", "prénom et nom de l'élève (ou des élèves) rattaché(s) au compte"),
    Field("Division", "division de l'élève (ou des élèves)"),
    Field("Adresse", "adresse postale du destinataire"),
    Field("Établissement", "nom de l'établissement"),
    Field("Adresse de l'établissement", "adresse postale de l'établissement"),
    Field("Téléphone de l'établissement", "numéro de téléphone de l'établissement"),
    Field("Courriel de l'établissement", "adresse électronique de l'établissement"),
    Field("Commune", "commune de l'établissement"),
    Field("Académie", "nom de l'académie"),
    Field("Chef d'établissement", "nom du chef d'établissement"),
    Field("Signature", "bloc de signature du chef d'établissement"),
    Field("Date", "date du courrier"),
    Field("Adresse internet", "adresse des services en ligne selon le type de courrier"),
    Field("Mention ENT", "phrase sur le lien ENT du portail (type de courrier « Mixte »)"),
)
FIELD_NAMES = frozenset(field.name for field in FIELDS)
_TOKEN = re.compile(r"\[([^\[\]<>\n]{1,60})\]")


def _name(raw: str) -> str:
    return raw.replace("’", "'").strip()


def required_fields(kind: LetterKind) -> tuple[str, ...]:
    """The fields a template of this kind must keep: identifier, and password for a new account."""
    return (IDENTIFIER, PASSWORD) if kind.shows_password else (IDENTIFIER,)


def used_fields(html: str) -> set[str]:
    """The known fields a text contains."""
    return {name for raw in _TOKEN.findall(html) if (name := _name(raw)) in FIELD_NAMES}


def missing_fields(kind: LetterKind, *texts: str) -> list[str]:
    """The required fields of ``kind`` that none of ``texts`` contains, in their usual order."""
    present = set().union(*(used_fields(text) for text in texts))
    return [name for name in required_fields(kind) if name not in present]


@dataclass(frozen=True)
class CompiledText:
    """A template split into literal HTML (even positions) and field names (odd positions)."""

    pieces: tuple[str, ...]

    def fill(self, values: Mapping[str, str]) -> Markup:
        """The text with every field replaced by its (already escaped) value."""
        parts = list(self.pieces)
        for index in range(1, len(parts), 2):
            parts[index] = values.get(parts[index], "")
        return Markup("".join(parts))  # noqa: S704 - sanitised template, escaped values


def compile_text(html: str) -> CompiledText:
    """Split a sanitised template once, so that filling thousands of letters is a join each."""
    pieces: list[str] = []
    literal = ""
    position = 0
    for match in _TOKEN.finditer(html):
        name = _name(match.group(1))
        literal += html[position : match.start()]
        position = match.end()
        if name in FIELD_NAMES:
            pieces += [literal, name]
            literal = ""
        else:
            literal += match.group(0)
    pieces.append(literal + html[position:])
    return CompiledText(tuple(pieces))
