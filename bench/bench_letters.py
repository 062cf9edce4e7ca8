"""Notification letters: letters per second for a whole establishment vs WeasyPrint's ceiling.

An establishment of 1,500 students and 3,000 level-1 representatives, each with a notified
representative account (encrypted provisional password), in a throw-away SQLite database. Measured
in the same process and the same run:

- ``render_letters``: the 3,000 representative letters, from the accounts to the PDF bytes
  (queries, decryption, templates, one WeasyPrint document);
- the ceiling: one HTML document of the same number of IDENTICAL letters (the first letter of the
  batch repeated) given straight to WeasyPrint — what WeasyPrint alone can do with such pages.

The ratio of the two is the overhead of everything that is not WeasyPrint (target ≥ 0.9). One
process, so the rates are per core. ``BENCH_LETTERS`` changes the number of letters. The figures
are printed and written to ``bench/RESULTS.md``.
"""

from __future__ import annotations

import io
import os
import platform
import resource
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bench.results import write_section

RESULTS = Path(__file__).with_name("RESULTS.md")
BEGIN, END = "<!-- bench_letters: begin -->", "<!-- bench_letters: end -->"
PER_DIVISION = 25


@dataclass(frozen=True)
class Figures:
    """What one run measured."""

    letters: int
    setup_s: float
    ours_s: float
    ceiling_s: float
    pages: int
    pdf_mb: float
    peak_mb: float
    job_s: float = 0.0
    job_workers: int = 0
    job_pages: int = 0

    @property
    def ours_rate(self) -> float:
        return self.letters / self.ours_s

    @property
    def ceiling_rate(self) -> float:
        return self.letters / self.ceiling_s

    @property
    def ratio(self) -> float:
        return self.ours_rate / self.ceiling_rate


def _populate(letters: int) -> tuple[int, int]:
    """Insert the academy, the establishment, students, representatives and accounts."""
    from teleservices.accounts.models import Account, AccountChild, AccountKind, AccountState
    from teleservices.extensions import db
    from teleservices.school.models import Division, Representative, Student
    from teleservices.security.secrets_box import encrypt
    from teleservices.tenancy.context import all_academies, tenant
    from teleservices.tenancy.models import Academy, Establishment, EstablishmentType

    with all_academies():
        academy = Academy(code="ac-bench", name="Académie de Banc-d'Essai")
        db.session.add(academy)
        db.session.flush()
        establishment = Establishment(
            academy_id=academy.id,
            uai="0251711Z",
            type=EstablishmentType.COLLEGE,
            name="Collège Victor Hugo",
            address="12 rue de la République",
            postal_code="25000",
            city="Besançon",
            phone="03 81 00 00 00",
            emails=["ce.0251711z@ac-bench.fr"],
            head_name="Mme Hélène Durand",
        )
        db.session.add(establishment)
        db.session.commit()
        academy_id, establishment_id = academy.id, establishment.id
    password = encrypt("k7m2p9xa")
    with tenant(academy_id):
        students = (letters + 1) // 2
        divisions = [
            Division(academy_id=academy_id, establishment_id=establishment_id, code=f"D{n:02d}")
            for n in range(students // PER_DIVISION + 1)
        ]
        db.session.add_all(divisions)
        db.session.flush()
        for n in range(letters):
            if n % 2 == 0:
                student = Student(
                    academy_id=academy_id,
                    establishment_id=establishment_id,
                    eleve_id=str(n),
                    first_name="Léa",
                    last_name=f"MARTIN-{n}",
                    division_id=divisions[n // 2 // PER_DIVISION].id,
                )
                db.session.add(student)
                db.session.flush()
            person = Representative(
                academy_id=academy_id,
                establishment_id=establishment_id,
                personne_id=str(n),
                civility="MME" if n % 2 else "M.",
                first_name="Camille",
                last_name=f"MARTIN-{n}",
                address_line_1=f"{n % 90 + 1} rue des Lilas",
                postal_code="25000",
                city="Besançon",
            )
            account = Account(
                academy_id=academy_id,
                identifier=f"camille.martin{n}",
                identifier_base="camille.martin",
                kind=AccountKind.REPRESENTATIVE,
                state=AccountState.NOTIFIE,
                provisional_password_encrypted=password,
            )
            db.session.add_all([person, account])
            db.session.flush()
            db.session.add(
                AccountChild(
                    academy_id=academy_id,
                    account_id=account.id,
                    student_id=student.id,
                    representative_id=person.id,
                )
            )
        db.session.commit()
    return academy_id, establishment_id


def _measure(letters: int) -> Figures:
    from pypdf import PdfReader
    from sqlalchemy import select

    from teleservices.accounts.models import Account
    from teleservices.app import create_app
    from teleservices.extensions import db
    from teleservices.notifications.context import letter_context
    from teleservices.notifications.editing import effective_templates
    from teleservices.notifications.letters import letters_html, render_letters
    from teleservices.notifications.recipients import letter_data
    from teleservices.pdf import render_pdf
    from teleservices.tenancy.context import tenant
    from teleservices.tenancy.models import Academy, Establishment

    with tempfile.TemporaryDirectory(prefix="bench-letters-") as folder:
        app = create_app({"DATABASE_URL": f"sqlite:///{folder}/bench.db", "TESTING": True})
        with app.app_context():
            start = time.perf_counter()
            db.create_all()
            academy_id, establishment_id = _populate(letters)
            setup_s = time.perf_counter() - start
            db.session.remove()
            with tenant(academy_id):
                academy = db.session.get(Academy, academy_id)
                establishment = db.session.get(Establishment, establishment_id)
                assert academy is not None and establishment is not None
                context = letter_context(
                    academy, establishment, courier_type="teleservices", on=date(2025, 9, 1)
                )
                # WeasyPrint's start-up (imports, fonts) is paid once, before both measures.
                render_pdf("<p>Chauffe</p>")

                start = time.perf_counter()
                accounts = list(
                    db.session.execute(
                        select(Account).where(Account.academy_id == academy_id).order_by(Account.id)
                    ).scalars()
                )
                pdf = render_letters(accounts, context)
                ours_s = time.perf_counter() - start

                first = letter_data(accounts[:1], context)
                identical = letters_html(
                    first * letters, context, effective_templates(establishment)
                )
                start = time.perf_counter()
                ceiling_pdf = render_pdf(identical)
                ceiling_s = time.perf_counter() - start
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        assert pages == letters, f"{pages} pages pour {letters} courriers"
        assert len(PdfReader(io.BytesIO(ceiling_pdf)).pages) == letters
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        pdf_size_mb = len(pdf) / 1e6
        del pdf, ceiling_pdf
        job_s, job_pages = _mass_job(app, academy_id, establishment_id)
    return Figures(
        letters,
        setup_s,
        ours_s,
        ceiling_s,
        pages,
        pdf_size_mb,
        peak_mb,
        job_s,
        JOB_WORKERS,
        job_pages,
    )


JOB_WORKERS = int(os.environ.get("BENCH_LETTER_WORKERS", "2"))
LETTERS_PER_CHUNK = 100  # notifications.mass.LETTERS_PER_PDF_CHUNK


def _mass_job(app: object, academy_id: int, establishment_id: int) -> tuple[float, int]:
    """The whole mass notification job (NOT-4) of every account, paper mode, letters rendered by
    ``JOB_WORKERS`` processes and merged into one PDF: wall time and pages."""
    from pypdf import PdfReader
    from sqlalchemy import select

    from teleservices.accounts.models import Account
    from teleservices.extensions import db
    from teleservices.notifications import mass
    from teleservices.tenancy.context import tenant
    from teleservices.tenancy.models import Establishment

    app.config["LETTER_WORKERS"] = JOB_WORKERS  # type: ignore[attr-defined]
    with app.app_context(), tenant(academy_id):  # type: ignore[attr-defined]
        establishment = db.session.get(Establishment, establishment_id)
        ids = list(
            db.session.scalars(
                select(Account.id).where(Account.academy_id == academy_id).order_by(Account.id)
            )
        )
        assert establishment is not None
        notification = mass.create(establishment, "representatives", "paper", ids, "bench")
        db.session.commit()
        start = time.perf_counter()
        mass.run(notification.id, lambda *_args: None)
        job_s = time.perf_counter() - start
        pages = len(PdfReader(notification.pdf_path).pages)
    return job_s, pages


def _section(figures: Figures) -> str:
    machine = f"{os.cpu_count()} cores, Python {platform.python_version()}, SQLite"
    weasyprint_version = _weasyprint_version()
    target_ratio = "atteint" if figures.ratio >= 0.9 else "**manqué**"
    return "\n".join(
        [
            BEGIN,
            "## Courriers de notification (`bench/bench_letters.py`)",
            "",
            f"Un établissement de {figures.letters // 2:,} élèves et {figures.letters:,} comptes "
            "responsables notifiés (mot de passe provisoire chiffré), base SQLite jetable, un "
            "seul processus (donc par cœur). « Nos courriers » : de la liste des comptes au PDF "
            "(requêtes, déchiffrement, modèles, un seul document WeasyPrint). « Plafond » : un "
            "document HTML de N courriers identiques (le premier du lot répété) rendu directement "
            f"par WeasyPrint {weasyprint_version}, mesuré dans le même passage.",
            "",
            "| date | machine | courriers | nos courriers | courriers/s | plafond WeasyPrint "
            "| courriers/s | rapport | PDF | pic mémoire |",
            "|---|---|---|---|---|---|---|---|---|---|",
            f"| {date.today().isoformat()} | {machine} | {figures.letters:,} "
            f"| {figures.ours_s:.1f} s | {figures.ours_rate:.1f} | {figures.ceiling_s:.1f} s "
            f"| {figures.ceiling_rate:.1f} | {figures.ratio:.2f} | {figures.pdf_mb:.1f} MB "
            f"| {figures.peak_mb:.0f} MB |",
            "",
            f"Objectif de rapport ≥ 0,9 (issue 6) : {target_ratio} ({figures.ratio:.2f}). "
            "Le plafond est mesuré après nos courriers, dans le même processus (tas déjà "
            "grossi) : un rapport au-dessus de 1 est du bruit, pas un gain ; charge de la "
            f"machine à la fin de la mesure : {os.getloadavg()[0]:.1f}.",
            "",
            "Tâche de notification en masse complète (les mêmes comptes, mode papier : "
            "notification compte par compte avec sa validation en base, puis rendu des courriers "
            f"par lots de {LETTERS_PER_CHUNK} dans {figures.job_workers} processus et fusion pypdf en un seul "
            "PDF) :",
            "",
            "| courriers | processus de rendu | durée totale | courriers/s | pages du PDF "
            "| objectif < 90 s |",
            "|---|---|---|---|---|---|",
            f"| {figures.letters:,} | {figures.job_workers} | {figures.job_s:.1f} s "
            f"| {figures.letters / figures.job_s:.1f} | {figures.job_pages:,} "
            f"| {'atteint' if figures.job_s < 90 else '**manqué**'} |",
            "",
            "Les processus de rendu ne tiennent qu'un lot de 100 courriers à la fois (le document "
            "unique de 3 000 courriers culmine, lui, à près de 3 Go). À ≈ 14 courriers/s par "
            "cœur, plafond de WeasyPrint, 3 000 courriers demandent au moins ≈ 107 s sur 2 "
            "cœurs : l'objectif de 90 s n'est pas atteignable par ce moteur sur cette machine.",
            END,
        ]
    )


def _weasyprint_version() -> str:
    import weasyprint

    return str(weasyprint.__version__)


def run() -> None:
    """Measure, print the figures and record them in ``bench/RESULTS.md``."""
    letters = int(os.environ.get("BENCH_LETTERS", "3000"))
    figures = _measure(letters)
    print(
        f"{figures.letters} courriers : {figures.ours_s:.1f} s ({figures.ours_rate:.1f}/s) ; "
        f"plafond WeasyPrint {figures.ceiling_s:.1f} s ({figures.ceiling_rate:.1f}/s) ; "
        f"rapport {figures.ratio:.2f} ; PDF {figures.pdf_mb:.1f} MB ; "
        f"pic {figures.peak_mb:.0f} MB (préparation des données {figures.setup_s:.1f} s) ; "
        f"tâche complète avec {figures.job_workers} processus : {figures.job_s:.1f} s, "
        f"{figures.job_pages} pages"
    )
    if os.environ.get("BENCH_LETTERS_NO_WRITE"):
        return
    write_section(BEGIN, END, _section(figures))
    print(f"Résultats écrits dans {RESULTS}.")


if __name__ == "__main__":
    run()
