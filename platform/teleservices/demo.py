"""The demo academy (``teleservices demo``): school data, staff and families ready to log in.

Idempotent: a second run re-imports nothing new and resets the demo passwords. Everything goes
through the real paths (generated SIECLE exports imported by the importer, account life-cycle
transitions), so the demo shows what a real academy would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from teleservices import auth
from teleservices.accounts import merge
from teleservices.accounts.lifecycle import now_utc, transition
from teleservices.accounts.models import Account, AccountChild, AccountKind, AccountState
from teleservices.admin import accounts as staff_accounts
from teleservices.admin.audit import COMMAND_LINE
from teleservices.admin.models import StaffRole
from teleservices.extensions import db
from teleservices.imports.reading import read_json
from teleservices.imports.service import run_import
from teleservices.school.generator import EstablishmentSpec, SiecleGenerator
from teleservices.school.models import Representative, Student
from teleservices.school.siecle import import_siecle
from teleservices.security.passwords import hash_password
from teleservices.security.secrets_box import encrypt
from teleservices.tenancy.context import all_academies, tenant
from teleservices.tenancy.models import Academy, Establishment

ACADEMY = "ac-demo"
STUDENTS_PER_ESTABLISHMENT = 40
SEED = 2026
FAMILY_PASSWORD = "demo2026"  # noqa: S105 - printed demo credential
STAFF_PASSWORD = "Demo-2026-equipe"  # noqa: S105 - printed demo credential
# A fixed TOTP secret for the demo administrators, printed with the way to compute a code.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - printed demo credential


@dataclass
class DemoLogin:
    role: str
    url: str
    login: str
    password: str
    note: str = ""


@dataclass
class DemoReport:
    imported: list[str] = field(default_factory=list)
    logins: list[DemoLogin] = field(default_factory=list)


def _establishments(academy: Academy) -> list[Establishment]:
    with tenant(academy.id):
        return list(db.session.execute(select(Establishment).order_by(Establishment.uai)).scalars())


def import_school_data(academy: Academy, out: Path, report: DemoReport) -> None:
    """Generate SIECLE exports for the declared establishments and import them."""
    establishments = _establishments(academy)
    specs = [
        EstablishmentSpec(e.uai, e.type, e.name, e.address, e.postal_code, e.city)
        for e in establishments
    ]
    generator = SiecleGenerator(specs, STUDENTS_PER_ESTABLISHMENT, seed=SEED)
    by_uai = {e.uai: e for e in establishments}
    for written in generator.write_all(out):
        with tenant(academy.id):
            result = import_siecle(by_uai[written.uai], written.paths)
        if not result.applied:
            reasons = "; ".join(str(issue) for issue in result.rejected)
            raise RuntimeError(f"Import de démonstration refusé pour {written.uai} : {reasons}")
        report.imported.append(written.uai)


def import_plugin_data(academy: Academy) -> None:
    """Give each establishment the téléservices' demonstration data (grades, events…), imported
    through the plugins' importers like a file."""
    registry = current_app.extensions["teleservices_registry"]
    for establishment in _establishments(academy):
        with tenant(academy.id):
            for data in registry.manager.hook.teleservices_demo_rows(establishment=establishment):
                for code, rows in (data or {}).items():
                    importer = registry.importers[code]
                    records = read_json(importer, rows)
                    result = run_import(importer, establishment, records, COMMAND_LINE)
                    if result.errors:
                        raise RuntimeError(
                            f"Démonstration « {code} » refusée : {result.errors[:3]}"
                        )


def _staff(academy: Academy, login: str, role: StaffRole, etab: Establishment | None) -> None:
    member = staff_accounts.find_staff(login)
    if member is None:
        member = staff_accounts.create_staff(
            academy.id, login, STAFF_PASSWORD, role, establishment=etab
        )
    member.password_hash = hash_password(STAFF_PASSWORD)
    if member.requires_totp:
        member.totp_secret_encrypted = encrypt(TOTP_SECRET)


def ensure_staff(academy: Academy, head_of: Establishment) -> None:
    with all_academies():
        admin = staff_accounts.find_platform_admin("admin.plateforme")
        if admin is None:
            admin = staff_accounts.create_platform_admin(
                "admin.plateforme", STAFF_PASSWORD, "Administration nationale", ""
            )
        admin.password_hash = hash_password(STAFF_PASSWORD)
        admin.totp_secret_encrypted = encrypt(TOTP_SECRET)
        db.session.commit()
    with tenant(academy.id):
        _staff(academy, "admin.academie", StaffRole.ACADEMY_ADMIN, None)
        _staff(academy, f"chef.{head_of.uai.lower()}", StaffRole.HEAD, head_of)
        db.session.commit()


FAMILY_EMAIL = "famille.demo@ac-demo.invalid"


def _activate(account: Account, email: str) -> None:
    """Bring an account to « Utilisé » through the life-cycle transitions, password known."""
    now = now_utc()
    if account.state is AccountState.NON_NOTIFIE:
        transition(account, AccountState.NOTIFIE, now)
    if account.state is AccountState.NOTIFIE and account.kind is AccountKind.REPRESENTATIVE:
        transition(account, AccountState.EN_COURS_ACTIVATION, now)
    if account.state is not AccountState.UTILISE:
        transition(account, AccountState.UTILISE, now)
    account.password_hash = hash_password(FAMILY_PASSWORD)
    account.email = email
    account.email_confirmed = True
    auth.rotate_nonce(account)


def _family_in_two_establishments() -> tuple[Account, Account] | None:
    """Two representative accounts of the same person (same e-mail) in two establishments, whose
    children have different first names (the generator also makes sons named after their father)."""
    rows = db.session.execute(
        select(Account, Representative.email, Representative.establishment_id, Student.first_name)
        .join(AccountChild, AccountChild.account_id == Account.id)
        .join(Representative, Representative.id == AccountChild.representative_id)
        .join(Student, Student.id == AccountChild.student_id)
        .where(Account.kind == AccountKind.REPRESENTATIVE, Representative.email != "")
        .order_by(Representative.email, Account.id)
    ).all()
    seen: dict[str, tuple[Account, int, str]] = {}
    for account, email, establishment_id, first_name in rows:
        first = seen.get(email)
        if first is None:
            seen[email] = (account, establishment_id, first_name)
        elif first[1] != establishment_id and first[0].id != account.id and first[2] != first_name:
            return first[0], account
    return None


def ensure_families(academy: Academy, report: DemoReport, base: str) -> None:
    with tenant(academy.id):
        main = db.session.scalar(
            select(Account).where(
                Account.email == FAMILY_EMAIL, Account.state == AccountState.UTILISE
            )
        )
        if main is None:
            pair = _family_in_two_establishments()
            if pair is None:
                raise RuntimeError("Aucune famille avec des enfants dans deux établissements.")
            main, other = pair
            _activate(main, FAMILY_EMAIL)
            merge.merge(main, other)
        else:
            _activate(main, main.email)
        student_account = db.session.scalar(
            select(Account)
            .join(AccountChild, AccountChild.account_id == Account.id)
            .join(Student, Student.id == AccountChild.student_id)
            .where(Account.kind == AccountKind.STUDENT, Student.left_at.is_(None))
            .order_by(Account.id)
            .limit(1)
        )
        assert student_account is not None
        _activate(student_account, "")
        db.session.commit()
        children = db.session.scalar(
            select(func.count(AccountChild.id)).where(AccountChild.account_id == main.id)
        )
        report.logins += [
            DemoLogin(
                "Famille (enfants dans deux établissements)",
                f"{base}/{ACADEMY}/connexion",
                main.identifier,
                FAMILY_PASSWORD,
                f"{children} enfants rattachés",
            ),
            DemoLogin(
                "Élève", f"{base}/{ACADEMY}/connexion", student_account.identifier, FAMILY_PASSWORD
            ),
        ]


def prepare() -> DemoReport:
    """Build (or refresh) the demo academy and return the logins to print."""
    report = DemoReport()
    base = str(current_app.config["BASE_URL"]).rstrip("/")
    with all_academies():
        academy = db.session.execute(select(Academy).filter_by(code=ACADEMY)).scalar_one()
        db.session.expunge(academy)
    out = Path(current_app.instance_path) / "siecle" / ACADEMY
    import_school_data(academy, out, report)
    import_plugin_data(academy)
    head_of = _establishments(academy)[0]
    head_name, head_uai = head_of.name, head_of.uai.lower()
    ensure_staff(academy, head_of)
    ensure_families(academy, report, base)
    totp = f"code : .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('{TOTP_SECRET}').now())\""
    report.logins = [
        DemoLogin(
            "Administrateur de la plateforme",
            f"{base}/admin/connexion",
            "admin.plateforme",
            STAFF_PASSWORD,
            totp,
        ),
        DemoLogin(
            "Administrateur de l'académie",
            f"{base}/{ACADEMY}/admin/connexion",
            "admin.academie",
            STAFF_PASSWORD,
            totp,
        ),
        DemoLogin(
            f"Chef d'établissement ({head_name})",
            f"{base}/{ACADEMY}/admin/connexion",
            f"chef.{head_uai}",
            STAFF_PASSWORD,
        ),
        *report.logins,
    ]
    return report
