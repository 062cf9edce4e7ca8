"""``teleservices notify``: a mass notification from the command line (NOT-4), the same job code
as the staff screen, run in the foreground with a progress bar, for one or several establishments
(``--uai`` repeated); the letters of all of them are written to ``--out`` as one PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext
from pypdf import PdfWriter

from teleservices.accounts.models import AccountState
from teleservices.admin import audit
from teleservices.extensions import db
from teleservices.notifications import mass
from teleservices.notifications.selection import (
    REPRESENTATIVES,
    STUDENTS,
    Criteria,
    select_accounts,
)
from teleservices.school.models import Division
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Establishment

AUDIENCES = {"representatives": REPRESENTATIVES, "students": STUDENTS}


@click.command("notify")
@click.option("--academy", "academy_code", required=True, help="Code de l'académie (ac-…).")
@click.option(
    "--uai", "uais", required=True, multiple=True, help="UAI d'un établissement (répétable)."
)
@click.option("--audience", type=click.Choice(sorted(AUDIENCES)), required=True)
@click.option("--mode", type=click.Choice(sorted(mass.MODES)), default="email+paper")
@click.option("--division", default="", help="Code de la division (toutes par défaut).")
@click.option(
    "--state", type=click.Choice([s.value for s in AccountState if s is not AccountState.FERME])
)
@click.option(
    "--reset-passwords", is_flag=True, help="Élèves : réinitialiser les comptes utilisés."
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
def notify_command(
    academy_code: str,
    uais: tuple[str, ...],
    audience: str,
    mode: str,
    division: str,
    state: str | None,
    reset_passwords: bool,
    out: Path,
) -> None:
    """Notifier en masse les comptes d'un ou plusieurs établissements ; les courriers de tous dans
    --out (un seul PDF)."""
    from teleservices.cli import resolve_establishment

    targets = []
    for uai in uais:
        establishment = resolve_establishment(academy_code, uai)
        targets.append((establishment.academy_id, establishment.uai))
    documents = []
    for academy_id, uai in targets:
        result = _notify_establishment(
            academy_id, uai, AUDIENCES[audience], mode, division, state, reset_passwords
        )
        click.echo(
            f"{uai} : {result['done']} compte(s) traité(s), {result['emailed']} "
            f"courriel(s) en file d'envoi, {result['letters']} courrier(s)."
        )
        for entry in result["skipped"]:
            click.echo(f"  non notifié : {entry['identifiant']} — {entry['raison']}")
        if result["pdf_path"]:
            documents.append(result["pdf_path"])
    if documents:
        writer = PdfWriter()
        for document in documents:
            writer.append(document)
        with out.open("wb") as handle:
            writer.write(handle)
        click.echo(f"Courriers écrits dans {out}.")


def _notify_establishment(
    academy_id: int,
    uai: str,
    audience: str,
    mode: str,
    division: str,
    state: str | None,
    reset_passwords: bool,
) -> dict[str, Any]:
    with tenant(academy_id):
        establishment = db.session.scalar(db.select(Establishment).filter_by(uai=uai))
        assert establishment is not None
        division_ids: tuple[int, ...] = ()
        if division:
            found = db.session.scalar(
                db.select(Division.id).filter_by(
                    establishment_id=establishment.id, code=division.upper()
                )
            )
            if found is None:
                raise click.BadParameter(
                    f"Division « {division} » inconnue dans {uai}.",
                    param_hint="--division",
                )
            division_ids = (found,)
        criteria = Criteria(
            audience=audience,
            division_ids=division_ids,
            state=AccountState(state) if state else None,
        )
        ids = [row.account_id for row in select_accounts(establishment, criteria)]
        if not ids:
            raise click.ClickException(f"{uai} : aucun compte ne correspond à ces critères.")
        notification = mass.create(
            establishment,
            audience,
            mode,
            ids,
            created_by=audit.COMMAND_LINE.display,
            reset_passwords=reset_passwords,
        )
        audit.record(
            "notification.mass",
            audit.COMMAND_LINE,
            establishment=establishment,
            target=f"{len(ids)} comptes",
            after={"mode": mass.MODE_LABELS[notification.mode], "comptes": len(ids)},
        )
        db.session.commit()
        with click.progressbar(length=len(ids), label=uai) as bar:

            def progress(done: int, total: int, message: str) -> None:
                bar.update(done - bar.pos)

            result = mass.run(notification.id, progress)
        return {**result, "pdf_path": notification.pdf_path}
