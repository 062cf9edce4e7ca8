"""PDF rendering: the words of the HTML are in the PDF, on A4 pages, one page per letter."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from teleservices.pdf import ForbiddenResourceError, check_resource
from teleservices.sdk import render_pdf

LETTERS = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8">
<style>.lettre + .lettre { break-before: page; } h1 { font-size: 18pt; }</style></head>
<body>
  <section class="lettre"><h1>Madame Dupont</h1><p>Identifiant : dupont.c</p></section>
  <section class="lettre"><h1>Monsieur Martin</h1><p>Identifiant : martin.j</p></section>
</body></html>"""


def _poppler(tool: str, pdf: bytes, tmp_path: Path, *args: str) -> str:
    """Run a poppler-utils tool on the PDF and return what it prints."""
    path = tmp_path / "lettres.pdf"
    path.write_bytes(pdf)
    command = [tool, *args, str(path)] + (["-"] if tool == "pdftotext" else [])
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def test_render_pdf_contains_the_rendered_words(tmp_path):
    pdf = render_pdf(LETTERS)
    assert pdf.startswith(b"%PDF-")
    words = _poppler("pdftotext", pdf, tmp_path, "-layout")
    assert "Madame Dupont" in words
    assert "Identifiant : martin.j" in words
    first, second = words.split("\f")[:2]
    assert "Dupont" in first and "Martin" not in first
    assert "Martin" in second


def test_render_pdf_is_a4_with_one_page_per_letter(tmp_path):
    info = _poppler("pdfinfo", render_pdf(LETTERS), tmp_path)
    lines = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert lines["Pages"].strip() == "2"
    assert "(A4)" in lines["Page size"]


def test_render_pdf_embeds_data_urls(tmp_path):
    css = "data:text/css,p.masque%20%7B%20display%3A%20none%3B%20%7D"
    html = f'<link rel="stylesheet" href="{css}"><p>Visible</p><p class="masque">Invisible</p>'
    words = _poppler("pdftotext", render_pdf(html), tmp_path)
    assert "Visible" in words
    assert "Invisible" not in words


def test_render_pdf_refuses_resources_outside_the_platform(tmp_path):
    """Staff text can never make the server read a file or fetch an address."""
    (tmp_path / "lettre.css").write_text("p.masque { display: none; }")
    html = '<link rel="stylesheet" href="lettre.css"><p>Visible</p><p class="masque">Invisible</p>'
    words = _poppler("pdftotext", render_pdf(html, base_url=f"{tmp_path}/"), tmp_path)
    assert "Invisible" in words
    with pytest.raises(ForbiddenResourceError):
        check_resource("http://127.0.0.1:1/secret")
    with pytest.raises(ForbiddenResourceError):
        check_resource("file:///etc/passwd")
