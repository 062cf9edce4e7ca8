"""PDF rendering on WeasyPrint (letters, certificates, lists): HTML in, A4 PDF bytes out."""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _page_stylesheet() -> Any:
    """A user stylesheet: A4 unless the document's own ``@page`` rule says otherwise."""
    from weasyprint import CSS

    return CSS(string="@page { size: A4; }")


def render_pdf(html: str, base_url: str | None = None) -> bytes:
    """Render one HTML document to an A4 PDF.

    For a batch of letters, render ONE document holding every letter (each in an element with
    ``break-before: page``) rather than one PDF per letter: WeasyPrint's start-up cost (fonts,
    stylesheets, layout set-up) is paid once, about ten times faster for a mass mailing.
    ``base_url`` resolves the document's relative links (images, stylesheets).
    """
    from weasyprint import HTML  # imported on first use: it is slow to import

    pdf: bytes = HTML(string=html, base_url=base_url).write_pdf(stylesheets=[_page_stylesheet()])
    return pdf
