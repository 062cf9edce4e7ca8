"""Account assistance (ADM-5): search, the account page, each action behind its confirmation, audit,
the letter, a merge undone by a new account, and the scope of the screens."""

from datetime import date
from html import unescape
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from teleservices.accounts import merge
from teleservices.accounts.models import Account, AccountChild, AccountState
from teleservices.accounts.testing import (
    account_of,
    activate,
    make_family,
    notify_account,
    outbox,
)
from teleservices.admin.audit import AuditEntry
from teleservices.admin.models import StaffRole
from teleservices.admin.testing import make_staff, staff_session
from teleservices.extensions import db
from teleservices.tenancy.context import tenant

BASE = "/ac-test/admin/etablissements/0251711Z/comptes"


def text(response):
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def family(app, academy):
    return make_family(app, academy)


@pytest.fixture
def head(app, academy):
    make_staff(
        app, academy, "chef.hugo", StaffRole.HEAD, uai="0251711Z", display_name="Claire Martin"
    )
    session = staff_session(app, "ac-test")
    session.login("chef.hugo")
    return session


def account_url(family, audience="responsables", account_id=None):
    return f"{BASE}/{audience}/{account_id or family.representative_account_id}"


def audit_actions(app, academy_id):
    with app.app_context(), tenant(academy_id):
        return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_search_by_name_division_and_state_with_count(app, academy, family, head):
    make_family(app, academy, first_name="Bruno", last_name="MARTIN", division="3A")
    activate(app, academy.id, family.representative_account_id, "soleil2024", "jean@example.fr")
    page = text(head.get(f"{BASE}/responsables"))
    assert "2 comptes" in page
    assert "DUPONT" in page and "MARTIN" in page
    page = text(head.get(f"{BASE}/responsables?nom=dup"))
    assert "1 compte" in page and "DUPONT" in page and "MARTIN" not in page
    page = text(head.get(f"{BASE}/responsables?etat=utilise"))
    assert "1 compte" in page and "Utilisé" in page and "MARTIN" not in page
    with app.app_context(), tenant(academy.id):
        from teleservices.school.models import Division

        division_id = db.session.scalar(select(Division.id).where(Division.code == "3A"))
    page = text(head.get(f"{BASE}/responsables?division={division_id}"))
    assert "1 compte" in page and "MARTIN" in page and "DUPONT" not in page
    students = text(head.get(f"{BASE}/eleves"))
    assert "2 comptes" in students and family.student_identifier in students


def test_the_state_is_written_next_to_its_dot_and_unconfirmed_address_in_red(
    app, academy, family, head
):
    with app.app_context(), tenant(academy.id):
        account = db.session.get(Account, family.representative_account_id)
        account.email = "jean@example.fr"
        db.session.commit()
    page = text(head.get(f"{BASE}/responsables"))
    assert 'class="ts-dot"' in page and "Non notifié</span>" in page
    assert '<span class="ts-unconfirmed">jean@example.fr (non confirmée)</span>' in page


def test_renotify_by_letter_resets_a_used_password_and_prints_the_letter(
    app, academy, family, head
):
    activate(app, academy.id, family.representative_account_id, "soleil2024", "jean@example.fr")
    url = account_url(family) + "/renotifier"
    confirm = text(head.get(url))
    assert "Un nouveau mot de passe provisoire sera attribué" in confirm
    with app.app_context():
        assert account_of(academy.id, family.representative_account_id).state is (
            AccountState.UTILISE
        )
    response = head.post(url, {"mode": "letter"})
    assert response.status_code == 302
    with app.app_context():
        account = account_of(academy.id, family.representative_account_id)
    assert account.state is AccountState.NOTIFIE and account.password_hash is None
    page = text(head.get(account_url(family)))
    assert "Imprimer le courrier de notification" in page
    pdf = head.client.get(account_url(family) + "/courrier.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    letter = PdfReader(BytesIO(pdf.data)).pages[0].extract_text()
    assert family.representative_identifier in letter
    assert "account.renotified" in audit_actions(app, academy.id)


def test_renotify_by_email_sends_the_credentials(app, academy, family, head):
    head.get(account_url(family) + "/renotifier")
    head.post(account_url(family) + "/renotifier", {"mode": "email"})
    sent = outbox(app, academy.id)
    assert sent and sent[-1].to == "jean.dupont@example.fr"
    assert family.representative_identifier in sent[-1].text


def test_resend_activation_with_a_corrected_address(app, academy, family, head):
    notify_account(app, academy.id, family.representative_account_id)
    with app.app_context(), tenant(academy.id):
        account = db.session.get(Account, family.representative_account_id)
        from teleservices.accounts.lifecycle import transition

        transition(account, AccountState.EN_COURS_ACTIVATION)
        account.email = "jean@exemple.fr"
        db.session.commit()
    url = account_url(family) + "/renvoyer-activation"
    assert 'value="jean@exemple.fr"' in text(head.get(url))
    head.post(url, {"email": "jean@example.fr"})
    sent = outbox(app, academy.id)[-1]
    assert sent.to == "jean@example.fr" and "confirmation-adresse" in sent.text
    assert "account.activation_resent" in audit_actions(app, academy.id)


def test_an_action_needs_its_confirmation_post(app, academy, family, head):
    response = head.get(account_url(family) + "/refus")
    assert "Confirmer" in text(response)
    with app.app_context():
        assert account_of(academy.id, family.representative_account_id).state is (
            AccountState.NON_NOTIFIE
        )
    head.token = ""
    assert head.post(account_url(family) + "/refus").status_code == 400
    with app.app_context():
        assert account_of(academy.id, family.representative_account_id).state is (
            AccountState.NON_NOTIFIE
        )


def test_refusal_closes_the_account_and_keeps_its_child(app, academy, family, head):
    head.get(account_url(family) + "/refus")
    head.post(account_url(family) + "/refus")
    with app.app_context(), tenant(academy.id):
        account = db.session.get(Account, family.representative_account_id)
        assert account.state is AccountState.FERME
        assert db.session.scalar(
            select(AccountChild.id).where(AccountChild.account_id == account.id)
        )
    assert "account.refused" in audit_actions(app, academy.id)


def test_write_an_email(app, academy, family, head):
    head.get(account_url(family) + "/ecrire")
    head.post(account_url(family) + "/ecrire", {"subject": "Réunion", "body": "Bonjour,\nà jeudi."})
    sent = outbox(app, academy.id)[-1]
    assert (sent.to, sent.subject) == ("jean.dupont@example.fr", "Réunion")
    assert "à jeudi." in sent.text
    assert "account.emailed" in audit_actions(app, academy.id)


def test_a_new_account_undoes_a_merge(app, academy, head):
    first = make_family(app, academy)
    second = make_family(
        app,
        academy,
        uai="0250001R",
        first_name="Hugo",
        last_name="MARTIN",
        representative_first_name="Paul",
        birth_date=date(2009, 6, 2),
    )
    activate(app, academy.id, first.representative_account_id, "soleil2024", "jean@example.fr")
    with app.app_context(), tenant(academy.id):
        main = db.session.get(Account, first.representative_account_id)
        other = db.session.get(Account, second.representative_account_id)
        merge.merge(main, other)
        db.session.commit()
    lycee = staff_session(app, "ac-test")
    make_staff(app, academy, "chef.lycee", StaffRole.HEAD, uai="0250001R")
    lycee.login("chef.lycee")
    url = f"/ac-test/admin/etablissements/0250001R/comptes/responsables/{first.representative_account_id}"
    assert "Hugo MARTIN" in text(lycee.get(url))
    lycee.get(url + "/nouveau-compte")
    response = lycee.post(url + "/nouveau-compte")
    assert response.status_code == 302
    with app.app_context(), tenant(academy.id):
        kept = sorted(
            db.session.scalars(
                select(AccountChild.student_id).where(
                    AccountChild.account_id == first.representative_account_id
                )
            )
        )
        fresh = db.session.scalar(
            select(Account)
            .join(AccountChild, AccountChild.account_id == Account.id)
            .where(
                AccountChild.student_id == second.student_id,
                AccountChild.representative_id == second.representative_id,
            )
        )
        assert kept == [first.student_id]
        assert fresh.identifier == "paul.martin1" and fresh.state is AccountState.NON_NOTIFIE
    assert "account.new_account" in audit_actions(app, academy.id)


def test_a_new_account_deletes_the_old_one_left_empty(app, academy, family, head):
    head.get(account_url(family) + "/nouveau-compte")
    head.post(account_url(family) + "/nouveau-compte")
    with app.app_context(), tenant(academy.id):
        assert db.session.get(Account, family.representative_account_id) is None
        identifiers = set(db.session.scalars(select(Account.identifier)))
    assert "jean.dupont1" in identifiers


def test_another_establishment_cannot_reach_the_account(app, academy, family):
    make_staff(app, academy, "chef.lycee", StaffRole.HEAD, uai="0250001R")
    lycee = staff_session(app, "ac-test")
    lycee.login("chef.lycee")
    other = f"/ac-test/admin/etablissements/0250001R/comptes/responsables/{family.representative_account_id}"
    assert lycee.get(other).status_code == 404
    assert lycee.get(account_url(family)).status_code == 404
    assert lycee.get(f"{BASE}/responsables").status_code == 404


def test_the_wrong_audience_or_action_is_404(app, academy, family, head):
    assert head.get(account_url(family, "eleves")).status_code == 404
    assert head.get(f"{BASE}/inconnus").status_code == 404
    assert head.get(account_url(family) + "/simuler").status_code == 404
    assert head.client.get(account_url(family) + "/courrier.pdf").status_code == 404
