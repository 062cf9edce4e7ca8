"""The account e-mails (ACC-4, ACC-6, ACC-7, notification): built from templates, sent through the
outbox of the academy (``mail.send_mail``: the academy's sender, SMTP with retries).

Each e-mail has a plain-text and an HTML part (``templates/accounts/mail/<name>.txt|.html``), in
French whatever the language of the page. Links are built on ``BASE_URL`` and the academy's prefix,
never on the request's Host header (a forged Host must not redirect a reset link elsewhere).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale

from teleservices import mail
from teleservices.accounts.children import children_of, greeting_name
from teleservices.accounts.lifecycle import ACTIVATION_MONTHS
from teleservices.accounts.models import Account
from teleservices.extensions import db
from teleservices.tenancy.context import current_academy_id
from teleservices.tenancy.models import Academy

SUBJECT_PREFIX = "Message des services en ligne"
CONFIRMATION_SUBJECT = f"{SUBJECT_PREFIX} - Mise à jour de votre adresse mail"
IDENTIFIERS_SUBJECT = f"{SUBJECT_PREFIX} - Vos identifiants"
CREDENTIALS_SUBJECT = f"{SUBJECT_PREFIX} - Votre compte d'accès aux services en ligne"
RESET_SUBJECT = "Demande n° {reference} - Réinitialisation de votre mot de passe"


def _academy() -> Academy:
    academy = db.session.get(Academy, current_academy_id())
    assert academy is not None
    return academy


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute address of an academy page, on ``BASE_URL`` (works outside a request)."""
    values.setdefault("academy", _academy().code)
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return str(current_app.config["BASE_URL"]).rstrip("/") + path


def _send(to: str, subject: str, template: str, **context: Any) -> mail.OutboxMessage:
    context.update(academy=_academy(), activation_months=ACTIVATION_MONTHS)
    with force_locale("fr"):
        text = render_template(f"accounts/mail/{template}.txt", **context)
        html = render_template(f"accounts/mail/{template}.html", subject=subject, **context)
    return mail.send_mail(to, subject, text, html)


def send_credentials(account: Account, password: str | None, to: str) -> mail.OutboxMessage:
    """The notification e-mail: identifier and provisional password (none for a used account)."""
    children = children_of(account)
    return _send(
        to,
        CREDENTIALS_SUBJECT,
        "credentials",
        account=account,
        password=password,
        child=children[0] if children else None,
        login_url=external_url("accounts.login"),
    )


def send_confirmation(account: Account, token: str, to: str) -> mail.OutboxMessage:
    """The link that confirms the address (and activates a representative's account)."""
    return _send(
        to,
        CONFIRMATION_SUBJECT,
        "confirmation",
        account=account,
        link=external_url("accounts.confirm_email", token=token),
    )


def send_identifiers(to: str, accounts: Sequence[Account]) -> mail.OutboxMessage:
    """Every identifier confirmed on the address ("identifiant oublié")."""
    return _send(
        to,
        IDENTIFIERS_SUBJECT,
        "identifiers",
        accounts=[(a, greeting_name(a)) for a in accounts],
        login_url=external_url("accounts.login"),
    )


def send_password_reset(
    account: Account, token: str, reference: str, to: str
) -> mail.OutboxMessage:
    """The reset link; the subject carries the request reference number shown on the page."""
    return _send(
        to,
        RESET_SUBJECT.format(reference=reference),
        "password_reset",
        account=account,
        reference=reference,
        link=external_url("accounts.reset_password", token=token),
    )
