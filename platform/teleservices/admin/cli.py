"""``teleservices staff``: create staff accounts and platform administrators, reset a second factor.

Passwords are read from standard input (``--password-stdin``), never from the command line, where
they would stay in the shell history and the process list.
"""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from teleservices.admin import accounts, audit
from teleservices.admin.models import StaffRole
from teleservices.extensions import db
from teleservices.tenancy.context import all_academies, tenant
from teleservices.tenancy.models import Academy


def _read_password() -> str:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise click.ClickException("Aucun mot de passe lu sur l'entrée standard.")
    return password


def _academy_id(code: str) -> int:
    with all_academies():
        academy_id = db.session.scalar(select(Academy.id).where(Academy.code == code))
    if academy_id is None:
        raise click.ClickException(f"Académie « {code} » inconnue.")
    return academy_id


@click.group("staff", help="Comptes des personnels (administration des téléservices).")
def staff_group() -> None:
    """Staff commands."""


@staff_group.command("create")
@click.option("--academy", "academy_code", required=True, help="Code de l'académie (ac-…).")
@click.option("--login", required=True, help="Identifiant de connexion.")
@click.option(
    "--role",
    required=True,
    type=click.Choice([r.value for r in StaffRole]),
    help="academy_admin, head (chef d'établissement) ou delegate (délégué).",
)
@click.option("--uai", help="UAI de l'établissement (chef d'établissement et délégué).")
@click.option("--name", "display_name", default="", help="Nom affiché.")
@click.option("--email", default="", help="Adresse électronique.")
@click.option("--password-stdin", is_flag=True, required=True, help="Lire le mot de passe.")
@with_appcontext
def create(
    academy_code: str,
    login: str,
    role: str,
    uai: str | None,
    display_name: str,
    email: str,
    password_stdin: bool,
) -> None:
    """Create a staff member of an academy."""
    from teleservices.cli import resolve_establishment

    password = _read_password()
    establishment = resolve_establishment(academy_code, uai) if uai else None
    academy_id = _academy_id(academy_code)
    with tenant(academy_id):
        try:
            member = accounts.create_staff(
                academy_id,
                login,
                password,
                StaffRole(role),
                display_name=display_name,
                email=email,
                establishment=establishment,
            )
        except accounts.StaffAccountError as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from exc
        audit.record(
            "staff.created",
            audit.COMMAND_LINE,
            academy_id=academy_id,
            establishment=establishment,
            target=f"{member.display_name} ({member.login})",
            after={"login": member.login, "role": member.role.value},
        )
        db.session.commit()
        where = f" de l'établissement {establishment.uai}" if establishment else ""
        click.echo(f"Compte « {member.login} » créé ({member.role_label}{where}).")
        if member.requires_totp:
            click.echo("La double authentification sera demandée à la première connexion.")


@staff_group.command("create-platform-admin")
@click.option("--login", required=True, help="Identifiant de connexion.")
@click.option("--name", "display_name", default="", help="Nom affiché.")
@click.option("--email", default="", help="Adresse électronique.")
@click.option("--password-stdin", is_flag=True, required=True, help="Lire le mot de passe.")
@with_appcontext
def create_platform_admin(login: str, display_name: str, email: str, password_stdin: bool) -> None:
    """Create a platform administrator (national level)."""
    password = _read_password()
    try:
        admin = accounts.create_platform_admin(login, password, display_name, email)
    except accounts.StaffAccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Administrateur de la plateforme « {admin.login} » créé.")
    click.echo("La double authentification sera demandée à la première connexion.")


@staff_group.command("reset-totp")
@click.option(
    "--academy", "academy_code", help="Code de l'académie (sans : administrateur plateforme)."
)
@click.option("--login", required=True, help="Identifiant de connexion.")
@with_appcontext
def reset_totp(academy_code: str | None, login: str) -> None:
    """Forget a user's second factor (lost phone): they enrol again at their next login."""
    if academy_code is None:
        admin = accounts.find_platform_admin(login)
        if admin is None:
            raise click.ClickException(f"Administrateur « {login} » inconnu.")
        accounts.reset_totp(admin)
        db.session.commit()
    else:
        academy_id = _academy_id(academy_code)
        with tenant(academy_id):
            member = accounts.find_staff(login)
            if member is None:
                raise click.ClickException(f"Compte « {login} » inconnu dans {academy_code}.")
            accounts.reset_totp(member)
            audit.record(
                "staff.totp_reset",
                audit.COMMAND_LINE,
                academy_id=academy_id,
                target=f"{member.display_name} ({member.login})",
            )
            db.session.commit()
    click.echo(f"Double authentification de « {login} » réinitialisée.")
