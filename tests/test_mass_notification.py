"""Mass notification (NOT-3, NOT-4, NOT-6): selection and counts, the rules, the job's progress and
summary, retry idempotence, the PDF's retention and access, the screens, the CLI, bulk e-mail."""

from datetime import date, timedelta
from html import unescape
from io import BytesIO

import pytest
import time_machine
from pypdf import PdfReader
from sqlalchemy import func, select

from teleservices import mail, sweep
from teleservices.accounts.models import Account, AccountState
from teleservices.accounts.testing import account_of, activate, make_family, outbox
from teleservices.admin.models import StaffRole
from teleservices.admin.testing import make_staff, staff_session
from teleservices.extensions import db
from teleservices.notifications import mass
from teleservices.notifications.models import MassNotification
from teleservices.notifications.selection import (
    REPRESENTATIVES,
    STUDENTS,
    Criteria,
    select_accounts,
)
from teleservices.school.models import Division, Student
from teleservices.school.regimes import Regime
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Establishment

BASE = "/ac-test/admin/etablissements/0251711Z/notification"


def text(response):
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def families(app, academy):
    """Three families of the collège: 4C (externe), 4C (interne, no address), 3A (used account)."""
    made = [
        make_family(app, academy),
        make_family(app, academy, first_name="Bruno", last_name="MARTIN", representative_email=""),
        make_family(app, academy, first_name="Chloé", last_name="PETIT", division="3A"),
    ]
    with app.app_context(), tenant(academy.id):
        for family, regime in zip(made, ("0", "3", "2"), strict=True):
            db.session.get(Student, family.student_id).regime_code = regime
        db.session.commit()
    activate(app, academy.id, made[2].representative_account_id, "soleil2024", "chloe@example.fr")
    return made


def college(app, academy):
    with app.app_context(), tenant(academy.id):
        establishment = db.session.scalar(select(Establishment).filter_by(uai="0251711Z"))
        db.session.expunge(establishment)
        return establishment


def selection(app, academy, **criteria):
    with app.app_context(), tenant(academy.id):
        return select_accounts(college(app, academy), Criteria(**criteria))


def test_selection_filters_and_flags(app, academy, families):
    assert len(selection(app, academy)) == 3
    with app.app_context(), tenant(academy.id):
        division = db.session.scalar(select(Division.id).filter_by(code="3A"))
    assert [r.student for r in selection(app, academy, division_ids=(division,))] == ["PETIT Chloé"]
    assert [r.student for r in selection(app, academy, regime=Regime.INTERNE)] == ["MARTIN Bruno"]
    assert [r.student for r in selection(app, academy, state=AccountState.UTILISE)] == [
        "PETIT Chloé"
    ]
    students = selection(app, academy, audience=STUDENTS)
    assert {r.identifier for r in students} == {f.student_identifier for f in families}


def test_invalid_address_and_previous_establishment_are_flagged(app, academy, families):
    lycee = make_family(app, academy, uai="0250001R", first_name="Hugo")
    with app.app_context(), tenant(academy.id):
        from teleservices.accounts.models import AccountChild

        db.session.get(Account, families[0].representative_account_id)
        row = db.session.scalar(
            select(AccountChild).where(
                AccountChild.account_id == lycee.representative_account_id,
                AccountChild.representative_id.is_not(None),
            )
        )
        row.account_id = families[0].representative_account_id
        from teleservices.school.models import Representative

        db.session.get(Representative, families[2].representative_id).email = "pas-une-adresse"
        db.session.get(Account, families[2].representative_account_id).email_confirmed = False
        db.session.commit()
    rows = {r.student: r for r in selection(app, academy)}
    assert rows["DUPONT Alice"].from_previous_establishment
    assert not rows["MARTIN Bruno"].from_previous_establishment
    assert rows["PETIT Chloé"].email_invalid


def run_notification(app, academy, ids, mode="email+paper", audience=REPRESENTATIVES, **kw):
    with app.app_context(), tenant(academy.id):
        establishment = db.session.scalar(select(Establishment).filter_by(uai="0251711Z"))
        notification = mass.create(establishment, audience, mode, ids, "test", **kw)
        db.session.commit()
        mass.start(notification)
        db.session.refresh(notification)
        return notification.id, mass.summary(notification), notification.pdf_path


def pdf_texts(path):
    reader = PdfReader(path)
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def test_the_job_applies_the_rules_and_writes_one_pdf(app, academy, families):
    ids = [f.representative_account_id for f in families]
    notification_id, summary, path = run_notification(app, academy, ids)
    assert summary["done"] == 3 and summary["emailed"] == 2 and summary["letters"] == 3
    assert summary["skipped"] == [
        {
            "identifiant": families[1].representative_identifier,
            "raison": "Aucune adresse mail connue : notifié par courrier.",
            "courrier": "oui",
        }
    ]
    with app.app_context():
        states = [account_of(academy.id, i).state for i in ids]
    assert states == [AccountState.NOTIFIE, AccountState.NOTIFIE, AccountState.UTILISE]
    pages = pdf_texts(path)
    assert len(pages) == 3
    assert families[0].representative_identifier in pages[0]
    assert "il n'est pas rappelé dans ce courrier" in pages[2]  # a used account: no password
    with app.app_context(), tenant(academy.id):
        job_percent = db.session.scalar(
            select(MassNotification.finished_at).where(MassNotification.id == notification_id)
        )
    assert job_percent is not None


def test_renotifying_keeps_or_renews_the_provisional_password(app, academy, families):
    first = families[0].representative_account_id
    run_notification(app, academy, [first], mode="paper")
    from teleservices.accounts.notification import provisional_password

    with app.app_context(), tenant(academy.id):
        before = provisional_password(db.session.get(Account, first))
    run_notification(app, academy, [first], mode="paper")
    with app.app_context(), tenant(academy.id):
        account = db.session.get(Account, first)
        assert provisional_password(account) == before  # Notifié keeps its password
        from teleservices.accounts.lifecycle import transition

        transition(account, AccountState.EN_COURS_ACTIVATION)
        account.password_hash = "x"
        db.session.commit()
    run_notification(app, academy, [first], mode="paper")
    with app.app_context(), tenant(academy.id):
        renewed = provisional_password(db.session.get(Account, first))
    assert renewed and renewed != before


def test_students_on_paper_with_reset_of_used_accounts(app, academy, families):
    activate(app, academy.id, families[0].student_account_id, "eleve2024")
    ids = [f.student_account_id for f in families]
    _, summary, path = run_notification(
        app, academy, ids, mode="email", audience=STUDENTS, reset_passwords=True
    )
    assert summary["emailed"] == 0 and summary["letters"] == 3
    with app.app_context():
        assert account_of(academy.id, ids[0]).state is AccountState.NOTIFIE
    assert "il n'est pas rappelé" not in pdf_texts(path)[0]


def test_a_crashed_job_rerun_sends_no_email_twice(app, academy, families, monkeypatch):
    ids = [f.representative_account_id for f in families]
    real = mass.notify
    calls = {"n": 0}

    def crash_on_second(account, mode, now=None):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real(account, mode, now)

    monkeypatch.setattr(mass, "notify", crash_on_second)
    with app.app_context(), tenant(academy.id):
        establishment = db.session.scalar(select(Establishment).filter_by(uai="0251711Z"))
        notification = mass.create(establishment, REPRESENTATIVES, "email+paper", ids, "test")
        db.session.commit()
        notification_id = notification.id
        with pytest.raises(RuntimeError):
            mass.run(notification_id, lambda *a: None)
        db.session.rollback()
    assert len([m for m in outbox(app, academy.id) if "identifiant" in m.text.lower()]) == 1
    monkeypatch.setattr(mass, "notify", real)
    with app.app_context(), tenant(academy.id):
        summary = mass.run(notification_id, lambda *a: None)
        path = db.session.get(MassNotification, notification_id).pdf_path
    sent = [m.to for m in outbox(app, academy.id)]
    assert sorted(sent) == ["chloe@example.fr", "jean.dupont@example.fr"]
    assert summary["done"] == 3 and len(pdf_texts(path)) == 3


def test_emails_reach_a_real_smtp_server(make_app, academy, families, smtp_server):
    app = make_app(MAIL_URL=smtp_server.url)
    ids = [f.representative_account_id for f in families]
    run_notification(app, academy, ids, mode="email")
    with app.app_context(), tenant(academy.id):
        mail.deliver_pending()
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "chloe@example.fr",
        "jean.dupont@example.fr",
    ]


def test_the_pdf_is_deleted_after_its_retention(app, academy, families):
    ids = [families[0].representative_account_id]
    _, _, path = run_notification(app, academy, ids, mode="paper")
    with app.app_context():
        assert sweep.run(mass.now_utc())["courriers de notification"] == {"documents supprimés": 0}
        later = mass.now_utc() + timedelta(hours=49)
        with time_machine.travel(later, tick=False):
            counts = sweep.run(mass.now_utc())
    assert counts["courriers de notification"] == {"documents supprimés": 1}
    from pathlib import Path

    assert not Path(path).exists()


@pytest.fixture
def head(app, academy):
    make_staff(app, academy, "chef.hugo", StaffRole.HEAD, uai="0251711Z", display_name="C. Martin")
    session = staff_session(app, "ac-test")
    session.login("chef.hugo")
    return session


def test_the_screens_select_confirm_follow_and_download(app, academy, families, head):
    page = text(head.get(f"{BASE}/responsables"))
    assert "3</strong> compte(s) sélectionné(s) sur 3" in page
    assert "Courrier électronique et courrier papier" in page
    ids = [str(f.representative_account_id) for f in families[:2]]
    confirm = head.post(f"{BASE}/responsables/confirmer", {"account": ids, "mode": "paper"})
    assert "2 comptes seront notifiés" in text(confirm)
    started = head.post(f"{BASE}/responsables/lancer", {"account": ids, "mode": "paper"})
    assert started.status_code == 302
    progress = text(head.get(started.headers["Location"]))
    assert "Notification terminée" in progress and "2 courriers" in progress
    pdf = head.client.get(started.headers["Location"] + "/courriers.pdf")
    assert pdf.status_code == 200 and len(PdfReader(BytesIO(pdf.data)).pages) == 2
    status = head.client.get(started.headers["Location"] + "/etat.json").get_json()
    assert status["finished"] and status["percent"] == 100


def test_another_establishment_cannot_fetch_the_pdf(app, academy, families, head):
    notification_id, _, _ = run_notification(
        app, academy, [families[0].representative_account_id], mode="paper"
    )
    make_staff(app, academy, "chef.lycee", StaffRole.HEAD, uai="0250001R")
    lycee = staff_session(app, "ac-test")
    lycee.login("chef.lycee")
    own = f"{BASE}/suivi/{notification_id}/courriers.pdf"
    assert lycee.client.get(own).status_code == 404
    other = f"/ac-test/admin/etablissements/0250001R/notification/suivi/{notification_id}"
    assert lycee.client.get(other + "/courriers.pdf").status_code == 404
    assert head.client.get(own).status_code == 200


def test_accounts_of_another_establishment_cannot_be_slipped_in(app, academy, families, head):
    stranger = make_family(app, academy, uai="0250001R", first_name="Zoé")
    head.get(f"{BASE}/responsables")
    response = head.post(
        f"{BASE}/responsables/confirmer", {"account": [str(stranger.representative_account_id)]}
    )
    assert response.status_code == 302
    with app.app_context():
        assert account_of(academy.id, stranger.representative_account_id).state is (
            AccountState.NON_NOTIFIE
        )


def test_writing_to_several_representatives(app, academy, families, head):
    head.get(f"{BASE}/responsables")
    ids = [str(f.representative_account_id) for f in families]
    form = head.post(f"{BASE}/responsables/ecrire", {"account": ids})
    assert "Chacun des 3 responsables sélectionnés recevra un courriel séparé" in text(form)
    empty = head.post(f"{BASE}/responsables/ecrire", {"account": ids, "send": "1"})
    assert "Saisissez un objet" in text(empty)
    head.post(
        f"{BASE}/responsables/ecrire",
        {"account": ids, "send": "1", "subject": "Réunion", "body": "Jeudi 18 h."},
    )
    sent = [m for m in outbox(app, academy.id) if m.subject == "Réunion"]
    assert sorted(m.to for m in sent) == ["chloe@example.fr", "jean.dupont@example.fr"]


def test_the_notify_command(app, academy, families, tmp_path):
    out = tmp_path / "courriers.pdf"
    result = app.test_cli_runner().invoke(
        args=[
            "notify",
            "--academy",
            "ac-test",
            "--uai",
            "0251711Z",
            "--audience",
            "representatives",
            "--mode",
            "paper",
            "--division",
            "4C",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "2 compte(s) traité(s)" in result.output
    assert len(PdfReader(out).pages) == 2
    with app.app_context(), tenant(academy.id):
        assert db.session.scalar(select(func.count(MassNotification.id))) == 1
    bad = app.test_cli_runner().invoke(
        args=[
            "notify",
            "--academy",
            "ac-test",
            "--uai",
            "0251711Z",
            "--audience",
            "students",
            "--division",
            "9Z",
            "--out",
            str(out),
        ]
    )
    assert bad.exit_code != 0 and "Division « 9Z » inconnue" in bad.output
    assert date.today()


def test_letters_rendered_by_two_worker_processes_keep_their_order(
    make_app, academy, families, monkeypatch
):
    app = make_app(LETTER_WORKERS=2)
    monkeypatch.setattr(mass, "LETTERS_PER_PDF_CHUNK", 1)
    ids = [f.representative_account_id for f in families]
    _, summary, path = run_notification(app, academy, ids, mode="paper")
    pages = pdf_texts(path)
    assert summary["letters"] == 3 and len(pages) == 3
    for family, page in zip(families, pages, strict=True):
        assert family.representative_identifier in page


def test_the_notify_command_over_two_establishments_writes_one_pdf(
    app, academy, families, tmp_path
):
    make_family(app, academy, uai="0250001R", first_name="Hugo", last_name="ROUX")
    out = tmp_path / "courriers.pdf"
    result = app.test_cli_runner().invoke(
        args=[
            "notify",
            "--academy",
            "ac-test",
            "--uai",
            "0251711Z",
            "--uai",
            "0250001R",
            "--audience",
            "representatives",
            "--mode",
            "paper",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "0251711Z : 3 compte(s) traité(s)" in result.output
    assert "0250001R : 1 compte(s) traité(s)" in result.output
    assert len(PdfReader(out).pages) == 4
