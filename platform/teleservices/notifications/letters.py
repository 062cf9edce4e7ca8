"""Printing notification letters: one HTML document per batch, one A4 page per letter (NOT-1).

Each letter is the establishment's header (sender block, top left), the addressee in the window of
a DL envelope (top right), the place and date, then the body of its kind; the data-protection
mention is printed at the foot of every page by the page style, out of the staff's reach. A batch
is rendered in ONE WeasyPrint document (``break-before: page`` between letters): its start-up cost
is paid once, whatever the number of letters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask import current_app
from markupsafe import Markup

from teleservices.accounts.models import Account
from teleservices.notifications.context import LetterContext
from teleservices.notifications.defaults import DATA_PROTECTION
from teleservices.notifications.editing import EffectiveTemplate, effective_templates
from teleservices.notifications.fields import CompiledText, compile_text
from teleservices.notifications.kinds import LetterKind
from teleservices.notifications.recipients import LetterData, Recipient, letter_data
from teleservices.pdf import render_pdf

TEMPLATE = "notifications/letters.html"


@dataclass(frozen=True)
class PrintedLetter:
    """One letter as the document template lays it out."""

    recipient: Recipient
    header: Markup
    body: Markup


def css_string(text: str) -> Markup:
    """A CSS string literal (for the page-foot ``content``), safe inside ``<style>``."""
    quoted = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    return Markup(f'"{quoted}"')  # noqa: S704 - escaped for CSS, no HTML context


def letters_html(
    letters: Sequence[LetterData],
    context: LetterContext,
    templates: Mapping[LetterKind, EffectiveTemplate],
) -> str:
    """The HTML document of a batch: each kind's template compiled once, filled per letter."""
    compiled: dict[LetterKind, tuple[CompiledText, CompiledText]] = {
        kind: (compile_text(t.header_html), compile_text(t.body_html))
        for kind, t in templates.items()
    }
    printed = []
    for letter in letters:
        header, body = compiled[letter.kind]
        printed.append(
            PrintedLetter(letter.recipient, header.fill(letter.values), body.fill(letter.values))
        )
    return current_app.jinja_env.get_template(TEMPLATE).render(
        letters=printed,
        context=context,
        data_protection=css_string(DATA_PROTECTION),
    )


def render_letters(accounts: Sequence[Account], context: LetterContext) -> bytes:
    """The PDF of the accounts' letters, in their order, with the establishment's templates.

    Raises ``recipients.LetterError`` when an account's letter cannot be printed (no readable
    provisional password for a new-account letter, no student): check ``letter_problem`` first
    to leave such accounts out of a mass notification.
    """
    letters = letter_data(accounts, context)
    html = letters_html(letters, context, effective_templates(context.establishment))
    return render_pdf(html)
