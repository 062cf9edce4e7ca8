"""Editable letter templates (NOT-2): sanitising, refusal, reset, use in letters, preview."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from teleservices.extensions import db
from teleservices.notifications import defaults
from teleservices.notifications.context import letter_context
from teleservices.notifications.editing import (
    TemplateRefusedError,
    effective_template,
    reset_template,
    save_template,
)
from teleservices.notifications.fields import compile_text, missing_fields
from teleservices.notifications.kinds import LetterKind
from teleservices.notifications.models import LetterTemplate
from teleservices.notifications.preview import preview_letter
from teleservices.notifications.sanitizer import clean
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Establishment

NEW = LetterKind.REPRESENTATIVE_NEW
BODY = "<p>Bonjour [Prénom] [Nom]</p><p>Identifiant : [Identifiant]<br>Mot de passe : [Mot de passe]</p>"


def text_of(pdf: bytes) -> str:
    return " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


def college() -> Establishment:
    return db.session.execute(select(Establishment).filter_by(uai="0251711Z")).scalar_one()


def test_staff_html_is_sanitised():
    dirty = (
        '<p onclick="steal()">Texte <strong>gras</strong> <em>it</em> <u>souligné</u></p>'
        "<script>alert(1)</script><style>p{display:none}</style>"
        '<img src="x" onerror="alert(1)">'
        '<a href="javascript:alert(1)">piège</a> <a href="https://ent.exemple.fr">ENT</a>'
        '<a href="data:text/html,x">données</a><a href="//autre.fr">relatif</a>'
        '<ul><li style="color:red">un</li></ul><ol><li>deux</li></ol><h1>Titre</h1>'
    )
    cleaned = clean(dirty)
    for removed in (
        "script",
        "alert",
        "onerror",
        "onclick",
        "javascript:",
        "style",
        "<img",
        "data:",
        "//autre.fr",
        "<h1>",
    ):
        assert removed not in cleaned
    assert '<a href="https://ent.exemple.fr">ENT</a>' in cleaned
    assert "<strong>gras</strong> <em>it</em> <u>souligné</u>" in cleaned
    assert "<ul><li>un</li></ul><ol><li>deux</li></ol>Titre" in cleaned
    assert "piège" in cleaned


def test_default_texts_pass_the_sanitiser_and_hold_their_fields():
    for kind in LetterKind:
        assert clean(defaults.default_header(kind)) == defaults.default_header(kind)
        assert clean(defaults.default_body(kind)) == defaults.default_body(kind)
        assert (
            missing_fields(kind, defaults.default_header(kind), defaults.default_body(kind)) == []
        )


def test_fields_are_filled_with_escaped_values_and_unknown_ones_kept():
    compiled = compile_text("<p>[Nom] [Inconnu] [Chef d’établissement]</p>")
    filled = compiled.fill({"Nom": "&lt;b&gt;", "Chef d'établissement": "Mme Durand"})
    assert filled == "<p>&lt;b&gt; [Inconnu] Mme Durand</p>"


def test_save_sanitises_and_the_letters_use_the_template(app, academy):
    with app.app_context(), tenant(academy.id):
        establishment = college()
        saved = save_template(
            establishment,
            NEW,
            "<p><strong>Mon collège</strong><script>x()</script></p>",
            BODY + '<p><a href="javascript:alert(1)" onmouseover="x()">lien</a></p>',
            updated_by="Hélène Durand",
        )
        db.session.commit()
        assert saved.header_html == "<p><strong>Mon collège</strong></p>"
        assert "javascript" not in saved.body_html and "onmouseover" not in saved.body_html
        current = effective_template(establishment, NEW)
        assert current.body_html == saved.body_html and not current.is_default
        assert current.updated_by == "Hélène Durand"
        assert effective_template(establishment, LetterKind.STUDENT_NEW).is_default
        context = letter_context(
            academy, establishment, courier_type="teleservices", on=date(2025, 9, 2)
        )
        text = text_of(preview_letter(context, NEW).pdf)
    assert "Mon collège" in text
    assert "Bonjour Camille EXEMPLE" in text
    assert "Mot de passe : k7m2p9xa" in text
    assert "Académie de Test" not in text
    assert "loi n° 78-17 du 6 janvier 1978" in text, "the data-protection mention stays"


@pytest.mark.parametrize(
    ("kind", "body", "message"),
    [
        (NEW, "<p>Mot de passe : [Mot de passe]</p>", "il doit contenir le champ [Identifiant],"),
        (NEW, "<p>Identifiant : [Identifiant]</p>", "il doit contenir le champ [Mot de passe],"),
        (
            LetterKind.STUDENT_NEW,
            "<p>Bonjour</p>",
            "il doit contenir les champs [Identifiant] et [Mot de passe],",
        ),
        (LetterKind.STUDENT_CONTINUITY, "<p>Bonjour [Prénom]</p>", "le champ [Identifiant]"),
        (NEW, '<p><a href="[Identifiant]">x</a> [Mot de passe]</p>', "le champ [Identifiant]"),
    ],
)
def test_a_template_without_identifier_or_password_is_refused(app, academy, kind, body, message):
    with app.app_context(), tenant(academy.id):
        establishment = college()
        with pytest.raises(TemplateRefusedError) as refused:
            save_template(establishment, kind, "<p>[Établissement]</p>", body)
        assert message in str(refused.value)
        assert str(refused.value).startswith(f"Le courrier « {kind.label} » n'est pas enregistré")
        assert db.session.execute(select(LetterTemplate)).first() is None


def test_a_continuity_template_needs_no_password(app, academy):
    with app.app_context(), tenant(academy.id):
        saved = save_template(
            college(),
            LetterKind.REPRESENTATIVE_CONTINUITY,
            "",
            "<p>Votre identifiant : [Identifiant]</p>",
        )
        assert saved.body_html == "<p>Votre identifiant : [Identifiant]</p>"


def test_reset_header_body_or_both(app, academy):
    with app.app_context(), tenant(academy.id):
        establishment = college()
        save_template(establishment, NEW, "<p>En-tête maison</p>", BODY)
        db.session.commit()
        header_reset = reset_template(establishment, NEW, "header")
        assert header_reset.header_is_default and not header_reset.body_is_default
        assert header_reset.header_html == defaults.HEADER
        assert header_reset.body_html == BODY
        everything = reset_template(establishment, NEW)
        db.session.commit()
        assert everything.is_default
        assert everything.body_html == defaults.default_body(NEW)
        assert db.session.execute(select(LetterTemplate)).first() is None
        again = save_template(establishment, NEW, defaults.HEADER, defaults.default_body(NEW))
        assert again.is_default, "a text equal to the default follows later default updates"


def test_templates_belong_to_one_establishment(app, academy):
    with app.app_context(), tenant(academy.id):
        save_template(college(), NEW, "<p>Collège seulement</p>", BODY)
        lycee = db.session.execute(select(Establishment).filter_by(uai="0250001R")).scalar_one()
        assert effective_template(lycee, NEW).is_default


def test_preview_gives_the_pdf_and_a_png_of_a_draft(app, academy):
    with app.app_context(), tenant(academy.id):
        context = letter_context(academy, college(), courier_type="mixte")
        preview = preview_letter(
            context,
            LetterKind.STUDENT_NEW,
            body_html="<p>Brouillon <script>x</script>[Identifiant]</p>",
        )
        assert effective_template(college(), LetterKind.STUDENT_NEW).is_default, "nothing saved"
    assert preview.png.startswith(b"\x89PNG\r\n\x1a\n")
    text = text_of(preview.pdf)
    assert "Brouillon lea.exemple" in text
