"""Notification letters (NOT-1): every kind × courier type, read back from the PDF with pypdf."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from teleservices.accounts.models import Account, AccountChild, AccountKind, AccountState
from teleservices.extensions import db
from teleservices.notifications.context import LetterContext, letter_context, portal_url
from teleservices.notifications.defaults import DATA_PROTECTION
from teleservices.notifications.kinds import LetterKind, kind_for
from teleservices.notifications.letters import render_letters
from teleservices.notifications.recipients import LetterError, letter_problem
from teleservices.school.models import Division, Representative, Student
from teleservices.security.secrets_box import encrypt
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Academy, Establishment

LETTER_DAY = date(2025, 9, 1)
ENT_URL = "https://ent.exemple.fr/college-hugo"
CNIL = "loi n° 78-17 du 6 janvier 1978 relative à l'informatique, aux fichiers et aux libertés"


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page, whitespace collapsed (pypdf breaks lines where the PDF does)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def college(academy: Academy) -> Establishment:
    """The collège of the ``academy`` fixture, with a full postal identity."""
    establishment = db.session.execute(select(Establishment).filter_by(uai="0251711Z")).scalar_one()
    establishment.address = "12 rue de la République"
    establishment.postal_code = "25000"
    establishment.city = "Besançon"
    establishment.phone = "03 81 00 00 00"
    establishment.emails = ["ce.0251711z@ac-test.fr"]
    establishment.head_name = "Mme Hélène Durand"
    return establishment


def new_account(
    establishment: Establishment,
    identifier: str,
    kind: AccountKind,
    state: AccountState,
    password: str | None,
    children: list[tuple[Student, Representative | None]],
) -> Account:
    account = Account(
        academy_id=establishment.academy_id,
        identifier=identifier,
        identifier_base=identifier.rstrip("0123456789"),
        kind=kind,
        state=state,
        provisional_password_encrypted=encrypt(password) if password else None,
    )
    db.session.add(account)
    db.session.flush()
    for student, person in children:
        db.session.add(
            AccountChild(
                academy_id=establishment.academy_id,
                account_id=account.id,
                student_id=student.id,
                representative_id=person.id if person else None,
            )
        )
    return account


def new_student(
    establishment: Establishment, eleve_id: str, first: str, last: str, division: Division
) -> Student:
    student = Student(
        academy_id=establishment.academy_id,
        establishment_id=establishment.id,
        eleve_id=eleve_id,
        first_name=first,
        last_name=last,
        birth_date=date(2011, 3, 14),
        division_id=division.id,
    )
    db.session.add(student)
    db.session.flush()
    return student


@pytest.fixture
def family(app, academy):
    """Léa MARTIN (4B) and her mother Camille: one account of each kind, new and used.

    Returns the account ids by letter kind; the new accounts' passwords are ``k7m2p9xa`` and
    ``r4t8w2qz``, and the used accounts still carry a stale provisional password ``stale111``.
    """
    with app.app_context(), tenant(academy.id):
        establishment = college(academy)
        division = Division(
            academy_id=academy.id, establishment_id=establishment.id, code="4B", label="4B"
        )
        db.session.add(division)
        db.session.flush()
        lea = new_student(establishment, "1001", "Léa", "MARTIN", division)
        hugo = new_student(establishment, "1002", "Hugo", "BERNARD", division)
        camille = Representative(
            academy_id=academy.id,
            establishment_id=establishment.id,
            personne_id="9001",
            civility="MME",
            last_name="MARTIN",
            first_name="Camille",
            address_line_1="3 impasse des Lilas",
            address_line_2="Bâtiment B",
            postal_code="25000",
            city="Besançon",
            country="FRANCE",
        )
        paul = Representative(
            academy_id=academy.id,
            establishment_id=establishment.id,
            personne_id="9002",
            civility="M.",
            last_name="BERNARD",
            first_name="Paul",
            address_line_1="8 avenue Foch",
            postal_code="39100",
            city="Dole",
        )
        db.session.add_all([camille, paul])
        db.session.flush()
        R, S = AccountKind.REPRESENTATIVE, AccountKind.STUDENT
        ids = {
            LetterKind.REPRESENTATIVE_NEW: new_account(
                establishment,
                "camille.martin",
                R,
                AccountState.NOTIFIE,
                "k7m2p9xa",
                [(lea, camille)],
            ).id,
            LetterKind.REPRESENTATIVE_CONTINUITY: new_account(
                establishment, "paul.bernard", R, AccountState.UTILISE, "stale111", [(hugo, paul)]
            ).id,
            LetterKind.STUDENT_NEW: new_account(
                establishment, "lea.martin", S, AccountState.NON_NOTIFIE, "r4t8w2qz", [(lea, None)]
            ).id,
            LetterKind.STUDENT_CONTINUITY: new_account(
                establishment, "hugo.bernard", S, AccountState.UTILISE, "stale111", [(hugo, None)]
            ).id,
        }
        db.session.commit()
    return ids


def accounts_by_id(ids):
    rows = {
        a.id: a for a in db.session.execute(select(Account).where(Account.id.in_(ids))).scalars()
    }
    return [rows[i] for i in ids]


def context(academy, courier_type: str, ent_url: str = ENT_URL) -> LetterContext:
    establishment = db.session.execute(select(Establishment).filter_by(uai="0251711Z")).scalar_one()
    return letter_context(
        academy, establishment, courier_type=courier_type, ent_url=ent_url, on=LETTER_DAY
    )


def render_all(app, academy, family, courier_type: str) -> dict[LetterKind, str]:
    with app.app_context(), tenant(academy.id):
        accounts = accounts_by_id(list(family.values()))
        assert [kind_for(a) for a in accounts] == list(family)
        pages = pdf_pages(render_letters(accounts, context(academy, courier_type)))
    assert len(pages) == 4, "one A4 page per letter"
    return dict(zip(family, pages, strict=True))


PORTAL = "http://localhost/ac-test/"
ENT_SENTENCE = "espace numérique de travail (ENT) de l'établissement est également accessible"


@pytest.mark.parametrize(
    ("courier_type", "address", "absent", "mentions_ent"),
    [
        ("teleservices", PORTAL, ENT_URL, False),
        ("mixte", PORTAL, ENT_URL, True),
        ("ent_seul", ENT_URL, PORTAL, False),
    ],
)
def test_every_kind_prints_the_address_of_the_courier_type(
    app, academy, family, courier_type, address, absent, mentions_ent
):
    pages = render_all(app, academy, family, courier_type)
    for kind, text in pages.items():
        assert f"rendez-vous à l'adresse internet suivante : {address}" in text, kind
        assert absent not in text, kind
        assert (ENT_SENTENCE in text) is mentions_ent, kind
        assert CNIL in text and "(CNIL)" in text, kind


def test_each_kind_says_what_it_must(app, academy, family):
    pages = render_all(app, academy, family, "teleservices")
    new_rep = pages[LetterKind.REPRESENTATIVE_NEW]
    assert "Identifiant : camille.martin Mot de passe provisoire : k7m2p9xa" in new_rep
    assert "suivre la scolarité de Léa MARTIN, en classe de 4B" in new_rep
    assert "activer votre compte à partir du courriel envoyé" in new_rep
    assert "Vous disposez d'un délai de 3 mois pour activer votre compte." in new_rep
    assert "Veuillez agréer, Madame, l'expression de mes salutations distinguées." in new_rep

    continuity = pages[LetterKind.REPRESENTATIVE_CONTINUITY]
    assert "Rappel de votre identifiant : paul.bernard" in continuity
    assert "Veuillez agréer, Monsieur," in continuity
    assert "délai de 3 mois" not in continuity

    student = pages[LetterKind.STUDENT_NEW]
    assert "Bonjour Léa," in student
    assert "Identifiant : lea.martin Mot de passe provisoire : r4t8w2qz" in student
    assert "indiquer votre date de naissance" in student
    assert "Vous disposez d'un délai de 3 mois" in student

    student_continuity = pages[LetterKind.STUDENT_CONTINUITY]
    assert "Rappel de votre identifiant : hugo.bernard" in student_continuity
    assert "Avec mes encouragements." in student_continuity


def test_a_used_account_letter_never_shows_a_password(app, academy, family):
    pages = render_all(app, academy, family, "mixte")
    for kind in (LetterKind.REPRESENTATIVE_CONTINUITY, LetterKind.STUDENT_CONTINUITY):
        assert "stale111" not in pages[kind]
        assert "Mot de passe provisoire" not in pages[kind]
        assert "il n'est pas rappelé dans ce courrier" in pages[kind]


def test_the_header_gives_sender_place_date_and_recipient(app, academy, family):
    pages = render_all(app, academy, family, "teleservices")
    text = pages[LetterKind.REPRESENTATIVE_NEW]
    for expected in (
        "Académie de Test",
        "Collège Victor Hugo 12 rue de la République 25000 Besançon",
        "Tél. : 03 81 00 00 00",
        "Courriel : ce.0251711z@ac-test.fr",
        "Madame Camille MARTIN 3 impasse des Lilas Bâtiment B 25000 BESANÇON",
        "Besançon, le 1er septembre 2025",
        "Objet : accès aux services en ligne de l'établissement",
        "Le chef d'établissement Mme Hélène Durand",
    ):
        assert expected in text
    assert "FRANCE" not in text
    assert (
        "Monsieur Paul BERNARD 8 avenue Foch 39100 DOLE"
        in pages[LetterKind.REPRESENTATIVE_CONTINUITY]
    )
    assert "Léa MARTIN Élève de 4B Collège Victor Hugo" in pages[LetterKind.STUDENT_NEW]


def test_the_data_protection_mention_is_on_every_page(app, academy, family):
    for text in render_all(app, academy, family, "ent_seul").values():
        assert " ".join(DATA_PROTECTION.split()) in text


def test_a_new_account_without_provisional_password_is_refused(app, academy, family):
    with app.app_context(), tenant(academy.id):
        account = db.session.get(Account, family[LetterKind.REPRESENTATIVE_NEW])
        account.provisional_password_encrypted = None
        assert letter_problem(account) is not None
        assert "aucun mot de passe provisoire" in letter_problem(account)
        with pytest.raises(LetterError, match=r"camille\.martin"):
            render_letters([account], context(academy, "teleservices"))
        used = db.session.get(Account, family[LetterKind.REPRESENTATIVE_CONTINUITY])
        used.provisional_password_encrypted = None
        assert letter_problem(used) is None


def test_school_data_is_printed_not_interpreted(app, academy, family):
    with app.app_context(), tenant(academy.id):
        student = db.session.execute(select(Student).filter_by(eleve_id="1001")).scalar_one()
        student.first_name = "<b>Léa</b>"
        db.session.flush()
        account = db.session.get(Account, family[LetterKind.STUDENT_NEW])
        text = pdf_pages(render_letters([account], context(academy, "teleservices")))[0]
    assert "Bonjour <b>Léa</b>," in text


def test_a_merged_account_names_every_child_of_the_establishment(app, academy, family):
    with app.app_context(), tenant(academy.id):
        hugo = db.session.execute(select(Student).filter_by(eleve_id="1002")).scalar_one()
        camille = db.session.execute(
            select(Representative).filter_by(personne_id="9001")
        ).scalar_one()
        db.session.add(
            AccountChild(
                academy_id=academy.id,
                account_id=family[LetterKind.REPRESENTATIVE_NEW],
                student_id=hugo.id,
                representative_id=camille.id,
            )
        )
        db.session.flush()
        account = db.session.get(Account, family[LetterKind.REPRESENTATIVE_NEW])
        text = pdf_pages(render_letters([account], context(academy, "teleservices")))[0]
    assert "la scolarité de Léa MARTIN et Hugo BERNARD, en classe de 4B" in text
    assert "Madame Camille MARTIN" in text


def test_the_context_follows_the_establishment_parametrage(app, academy):
    from teleservices.admin.establishment_settings import CourierType, settings_row

    with app.app_context(), tenant(academy.id):
        establishment = college(academy)
        assert letter_context(academy, establishment).internet_address == portal_url(academy)
        row = settings_row(establishment)
        row.courier_type = CourierType.ENT_SEUL
        row.ent_url = ENT_URL
        db.session.flush()
        chosen = letter_context(academy, establishment)
        assert chosen.courier_type == "ent_seul"
        assert chosen.internet_address == ENT_URL
        row.courier_type = CourierType.MIXTE
        db.session.flush()
        mixte = letter_context(academy, establishment)
        assert mixte.internet_address == PORTAL and mixte.ent_mention
    with pytest.raises(ValueError, match="type de courrier inconnu"):
        LetterContext(academy, establishment, PORTAL, courier_type="ent")
