"""Who each letter goes to and the values of its fields, read in a few queries for a whole batch.

A representative account's letter goes to the representative of its first child row in the
establishment (the one the account was created for) and names every child of that establishment
it gives access to; a student account's letter goes to the student, in their division. Every value
is HTML-escaped here. A new-account letter needs the provisional password: an account without a
readable one is refused (``LetterError``); a continuity letter never reads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import select

from teleservices.accounts.models import Account, AccountChild
from teleservices.notifications.context import LetterContext
from teleservices.notifications.kinds import LetterKind, kind_for
from teleservices.school import bulk
from teleservices.school.models import Division, Representative, Student
from teleservices.security.secrets_box import decrypt

CIVILITIES = {"M.": "Monsieur", "M": "Monsieur", "MME": "Madame", "MLLE": "Madame"}
UNKNOWN_CIVILITY = "Madame, Monsieur"
CONTINUITY_PASSWORD = "inchangé (celui que vous avez choisi)"  # noqa: S105 - not a password
HEAD_TITLE = "Le chef d'établissement"
DOMESTIC_COUNTRIES = {"", "FRANCE", "100"}


class LetterError(ValueError):
    """An account whose letter cannot be printed, and why (in French)."""

    def __init__(self, identifier: str, reason: str) -> None:
        self.identifier = identifier
        self.reason = reason
        super().__init__(f"{identifier} : {reason}")


@dataclass(frozen=True)
class Recipient:
    """The addressee printed in the envelope window."""

    civility: str
    first_name: str
    last_name: str
    address_lines: tuple[str, ...]

    @property
    def name_line(self) -> str:
        return " ".join(part for part in (self.civility, self.first_name, self.last_name) if part)


@dataclass(frozen=True)
class LetterData:
    """One letter: its kind, its addressee and the escaped values of its fields."""

    account_id: int
    identifier: str
    kind: LetterKind
    recipient: Recipient
    values: dict[str, str]


def html_value(value: str) -> str:
    return str(escape(value))


def html_lines(lines: Iterable[str]) -> str:
    return str(Markup("<br>").join(line for line in lines if line))


def _enumerate(items: Sequence[str]) -> str:
    """``A``, ``A et B``, ``A, B et C``."""
    unique = list(dict.fromkeys(item for item in items if item))
    if len(unique) <= 1:
        return "".join(unique)
    return ", ".join(unique[:-1]) + " et " + unique[-1]


def civility_label(code: str) -> str:
    """``Madame`` / ``Monsieur`` for a SIECLE civility (``MME``, ``M.``), empty when unknown."""
    return CIVILITIES.get(code.strip().upper(), "")


def postal_lines(person: Any) -> tuple[str, ...]:
    """A representative's postal address, the commune line in capitals (postal usage)."""
    lines = [
        person.address_line_1,
        person.address_line_2,
        person.address_line_3,
        person.address_line_4,
        f"{person.postal_code} {person.city}".strip().upper(),
    ]
    if person.country.strip().upper() not in DOMESTIC_COUNTRIES:
        lines.append(person.country.strip().upper())
    return tuple(line.strip() for line in lines if line and line.strip())


def shared_values(context: LetterContext) -> dict[str, str]:
    """The values every letter of the batch shares (sender, date, address)."""
    establishment = context.establishment
    head = establishment.head_name.strip()
    address = [
        *establishment.address.splitlines(),
        f"{establishment.postal_code} {establishment.city}".strip(),
    ]
    signature = Markup('<span class="signature">{}<br>{}</span>').format(HEAD_TITLE, head)
    return {
        "Établissement": html_value(establishment.name),
        "Adresse de l'établissement": html_lines(html_value(line.strip()) for line in address),
        "Téléphone de l'établissement": html_value(establishment.phone),
        "Courriel de l'établissement": html_value(next(iter(establishment.emails or []), "")),
        "Commune": html_value(establishment.city),
        "Académie": html_value(context.academy.name),
        "Chef d'établissement": html_value(head),
        "Signature": str(signature),
        "Date": html_value(context.date_text),
        "Adresse internet": html_value(context.internet_address),
        "Mention ENT": html_value(context.ent_mention),
    }


class _BatchData:
    """The rows behind a batch of accounts, loaded set by set."""

    def __init__(self, accounts: Sequence[Account]) -> None:
        self.children: dict[int, list[Any]] = {}
        for row in bulk.rows_where_in(
            select(
                AccountChild.id,
                AccountChild.account_id,
                AccountChild.student_id,
                AccountChild.representative_id,
            ),
            AccountChild.account_id,
            {account.id for account in accounts},
        ):
            self.children.setdefault(row.account_id, []).append(row)
        for rows in self.children.values():
            rows.sort(key=lambda row: row.id)
        every_child = [row for rows in self.children.values() for row in rows]
        self.students = {
            row.id: row
            for row in bulk.rows_where_in(
                select(
                    Student.id,
                    Student.establishment_id,
                    Student.first_name,
                    Student.last_name,
                    Student.usage_name,
                    Student.division_id,
                ),
                Student.id,
                {row.student_id for row in every_child},
            )
        }
        self.divisions = dict(
            bulk.rows_where_in(
                select(Division.id, Division.code),
                Division.id,
                {s.division_id for s in self.students.values() if s.division_id is not None},
            )
        )
        self.representatives = {
            row.id: row
            for row in bulk.rows_where_in(
                select(
                    Representative.id,
                    Representative.civility,
                    Representative.first_name,
                    Representative.last_name,
                    Representative.usage_name,
                    Representative.address_line_1,
                    Representative.address_line_2,
                    Representative.address_line_3,
                    Representative.address_line_4,
                    Representative.postal_code,
                    Representative.city,
                    Representative.country,
                ),
                Representative.id,
                {row.representative_id for row in every_child if row.representative_id},
            )
        }

    def children_in(self, account_id: int, establishment_id: int) -> list[Any]:
        """The account's child rows whose student is in the establishment (all when none is)."""
        rows = self.children.get(account_id, [])
        here = [r for r in rows if self.students[r.student_id].establishment_id == establishment_id]
        return here or rows


def _student_name(student: Any) -> str:
    return f"{student.first_name} {student.usage_name or student.last_name}".strip()


def _password(account: Account, kind: LetterKind) -> str:
    if not kind.shows_password:
        return CONTINUITY_PASSWORD
    if not account.provisional_password_encrypted:
        raise LetterError(
            account.identifier,
            "aucun mot de passe provisoire : notifiez le compte pour lui en attribuer un.",
        )
    password = decrypt(account.provisional_password_encrypted)
    if password is None:
        raise LetterError(
            account.identifier,
            "mot de passe provisoire illisible (clé changée) : notifiez à nouveau le compte.",
        )
    return password


def letter_problem(account: Account) -> str | None:
    """Why the account's letter cannot be printed (in French), or None when it can."""
    try:
        _password(account, kind_for(account))
    except LetterError as error:
        return error.reason
    return None


def letter_data(accounts: Sequence[Account], context: LetterContext) -> list[LetterData]:
    """The letters of the accounts, in their order; ``LetterError`` for an unprintable one."""
    batch = _BatchData(accounts)
    shared = shared_values(context)
    letters = []
    for account in accounts:
        kind = kind_for(account)
        children = batch.children_in(account.id, context.establishment.id)
        if not children:
            raise LetterError(account.identifier, "le compte ne donne accès à aucun élève.")
        students = [batch.students[row.student_id] for row in children]
        divisions = [batch.divisions.get(s.division_id, "") for s in students]
        if kind.for_student:
            student = students[0]
            recipient = Recipient(
                civility="",
                first_name=student.first_name,
                last_name=(student.usage_name or student.last_name).upper(),
                address_lines=tuple(
                    line
                    for line in (
                        f"Élève de {divisions[0]}" if divisions[0] else "",
                        context.establishment.name,
                    )
                    if line
                ),
            )
            civility = ""
        else:
            person = batch.representatives.get(children[0].representative_id)
            if person is None:
                raise LetterError(account.identifier, "aucun représentant légal rattaché.")
            civility = civility_label(person.civility)
            recipient = Recipient(
                civility=civility,
                first_name=person.first_name,
                last_name=(person.usage_name or person.last_name).upper(),
                address_lines=postal_lines(person),
            )
        values = {
            **shared,
            "Civilité": html_value(civility or ("" if kind.for_student else UNKNOWN_CIVILITY)),
            "Nom": html_value(recipient.last_name),
            "Prénom": html_value(recipient.first_name),
            "Identifiant": html_value(account.identifier),
            "Mot de passe": html_value(_password(account, kind)),
            "Élève": html_value(_enumerate([_student_name(s) for s in students])),
            "Division": html_value(_enumerate(divisions)),
            "Adresse": html_lines(html_value(line) for line in recipient.address_lines),
        }
        letters.append(LetterData(account.id, account.identifier, kind, recipient, values))
    return letters
