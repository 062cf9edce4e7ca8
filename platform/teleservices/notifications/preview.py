"""Preview of a letter kind (NOT-2): one sample letter as a PDF and its first page as a PNG image.

The sample addressee is fictitious, so a preview never shows a real family's data or password.
A draft header or body is sanitised as it would be when saved, and previewed even when it lacks a
required field (the staff see what they wrote; saving it is what is refused). The image comes from
``pdftoppm`` (poppler-utils), run on a temporary file with a time limit.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from teleservices.notifications import sanitizer
from teleservices.notifications.context import LetterContext
from teleservices.notifications.editing import EffectiveTemplate, effective_template
from teleservices.notifications.kinds import LetterKind
from teleservices.notifications.letters import letters_html
from teleservices.notifications.recipients import (
    CONTINUITY_PASSWORD,
    LetterData,
    Recipient,
    html_lines,
    html_value,
    shared_values,
)
from teleservices.pdf import render_pdf

PDFTOPPM_TIMEOUT = 30
SAMPLE_REPRESENTATIVE = Recipient(
    civility="Madame",
    first_name="Camille",
    last_name="EXEMPLE",
    address_lines=("12 rue des Lilas", "Bâtiment B", "25000 BESANCON"),
)
SAMPLE_STUDENT = Recipient(
    civility="", first_name="Léa", last_name="EXEMPLE", address_lines=("Élève de 4B",)
)
SAMPLE_PASSWORD = "k7m2p9xa"  # noqa: S105 - a fictitious sample shown in previews


@dataclass(frozen=True)
class Preview:
    """A previewed letter: the PDF and the PNG image of its first page."""

    pdf: bytes
    png: bytes


def sample_letter(kind: LetterKind, context: LetterContext) -> LetterData:
    """A fictitious letter of the kind, with the context's sender, date and address."""
    recipient = SAMPLE_STUDENT if kind.for_student else SAMPLE_REPRESENTATIVE
    identifier = "lea.exemple" if kind.for_student else "camille.exemple"
    values = {
        **shared_values(context),
        "Civilité": html_value(recipient.civility),
        "Nom": html_value(recipient.last_name),
        "Prénom": html_value(recipient.first_name),
        "Identifiant": html_value(identifier),
        "Mot de passe": html_value(SAMPLE_PASSWORD if kind.shows_password else CONTINUITY_PASSWORD),
        "Élève": html_value("Léa EXEMPLE"),
        "Division": html_value("4B"),
        "Adresse": html_lines(html_value(line) for line in recipient.address_lines),
    }
    return LetterData(0, identifier, kind, recipient, values)


def _pdftoppm() -> str:
    """The absolute path of ``pdftoppm`` (poppler-utils, installed by ``make system-deps``)."""
    path = shutil.which("pdftoppm")
    if path is None:
        raise RuntimeError("pdftoppm (poppler-utils) est introuvable : aperçu impossible.")
    return path


def first_page_png(pdf: bytes, resolution: int = 80) -> bytes:
    """The first page of a PDF as a PNG image (``pdftoppm``)."""
    with tempfile.TemporaryDirectory(prefix="apercu-") as folder:
        source = Path(folder) / "courrier.pdf"
        source.write_bytes(pdf)
        target = Path(folder) / "page"
        subprocess.run(  # noqa: S603 - fixed program and arguments, our own temporary files
            [
                _pdftoppm(),
                "-png",
                "-r",
                str(resolution),
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(source),
                str(target),
            ],
            check=True,
            capture_output=True,
            timeout=PDFTOPPM_TIMEOUT,
        )
        return target.with_suffix(".png").read_bytes()


def preview_letter(
    context: LetterContext,
    kind: LetterKind,
    header_html: str | None = None,
    body_html: str | None = None,
    resolution: int = 80,
) -> Preview:
    """The sample letter of ``kind`` with the draft texts given, else the texts in force."""
    current = effective_template(context.establishment, kind)
    template = EffectiveTemplate(
        kind=kind,
        header_html=current.header_html if header_html is None else sanitizer.clean(header_html),
        body_html=current.body_html if body_html is None else sanitizer.clean(body_html),
        header_is_default=header_html is None and current.header_is_default,
        body_is_default=body_html is None and current.body_is_default,
    )
    html = letters_html([sample_letter(kind, context)], context, {kind: template})
    pdf = render_pdf(html)
    return Preview(pdf=pdf, png=first_page_png(pdf, resolution))
