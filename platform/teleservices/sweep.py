"""``teleservices sweep``: the periodic housekeeping, idempotent, across every academy.

Each step is a function ``(now) -> dict of counts`` listed in ``STEPS``; features add theirs
(account life-cycle deletions and reminders, PDF retention). Run it from cron every few minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import click
from flask.cli import with_appcontext

from teleservices import mail
from teleservices.extensions import db
from teleservices.tenancy.context import all_academies

Step = Callable[[datetime], dict[str, int]]


def _outbox(now: datetime) -> dict[str, int]:
    return mail.deliver_pending(now)


STEPS: dict[str, Step] = {"courriels": _outbox}


def register(name: str, step: Step) -> None:
    """Add a housekeeping step (called once per module at import)."""
    STEPS[name] = step


def run(now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Run every step for all academies and return their counts."""
    now = now or datetime.now(UTC)
    report = {}
    with all_academies():
        for name, step in STEPS.items():
            report[name] = step(now)
            db.session.commit()
    return report


@click.command("sweep")
@with_appcontext
def sweep_command() -> None:
    """Life-cycle deletions, reminders, outbox retries, PDF retention (idempotent)."""
    for name, counts in run().items():
        figures = ", ".join(f"{key} : {value}" for key, value in counts.items())
        click.echo(f"{name} — {figures}")
