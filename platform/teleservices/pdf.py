"""PDF rendering on WeasyPrint (letters, certificates, lists): HTML in, A4 PDF bytes out.

Documents may embed ``data:`` URLs and files of the platform's own folders (``base_url`` inside
the package); any other address (http, file elsewhere) is refused, so staff-written text can never
make the server fetch something.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

PACKAGE_ROOT = Path(__file__).resolve().parent


class ForbiddenResourceError(ValueError):
    """A document asked for a resource outside the platform's own files."""


@cache
def _fetcher() -> Any:
    """WeasyPrint URL fetcher limited to ``data:`` URLs and the package's own files."""
    from weasyprint.urls import URLFetcher

    class PlatformOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            check_resource(url)
            return super().fetch(url, headers)

    return PlatformOnlyFetcher(allowed_protocols=["data", "file"])


def check_resource(url: str) -> None:
    """Refuse any resource but ``data:`` URLs and files inside the platform package."""
    if url.startswith("data:"):
        return
    if url.startswith("file://"):
        path = Path(unquote(url[len("file://") :].split("?")[0])).resolve()
        if path.is_relative_to(PACKAGE_ROOT):
            return
    raise ForbiddenResourceError(f"ressource refusée dans un PDF : {url}")


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

    document = HTML(string=html, base_url=base_url, url_fetcher=_fetcher())
    pdf: bytes = document.write_pdf(stylesheets=[_page_stylesheet()])
    return pdf
