"""The family forms: login, first connection, address correction, recovery, password reset.

Labels are the family guides' words, lowercase as they print them ("votre identifiant", "votre mot
de passe", "nouveau mot de passe"…): they are what assistive technology reads and what the browser
tests look for. Every form carries the CSRF token (Flask-WTF).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, Field, PasswordField, StringField
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)
from wtforms.widgets import TextInput

from teleservices.security.passwords import policy_errors

PASSWORD_HINT = _l("8 caractères minimum, 14 caractères maximum, chiffres ET lettres obligatoires")
EMAIL_MAX_LENGTH = 320
INPUT_MAX_LENGTH = 200


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _email_validators() -> list[Any]:
    return [
        Length(max=EMAIL_MAX_LENGTH),
        Email(_l("Saisissez une adresse mail valide, par exemple nom@exemple.fr.")),
    ]


def _chosen_password(form: FlaskForm, field: Field) -> None:
    if field.data and policy_errors(field.data):
        raise ValidationError(
            _l(
                "Le mot de passe doit contenir de 8 à 14 caractères, dont au moins une lettre et un chiffre."
            )
        )


def _same_address(form: FlaskForm, field: Field) -> None:
    if (field.data or "").strip().lower() != (form.email.data or "").strip().lower():
        raise ValidationError(_l("Les deux adresses mail ne sont pas identiques."))


def _new_password(label: Any) -> PasswordField:
    """A chosen password field (the seeds' rule) labelled ``label``."""
    return PasswordField(
        label,
        description=PASSWORD_HINT,
        validators=[DataRequired(_l("Saisissez un nouveau mot de passe.")), _chosen_password],
        render_kw={"autocomplete": "new-password"},
    )


def _password_confirmation(label: Any) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Confirmez le nouveau mot de passe.")),
            EqualTo("password", _l("Les deux mots de passe ne sont pas identiques.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


def _current_password() -> PasswordField:
    return PasswordField(
        _l("votre mot de passe actuel"),
        validators=[
            DataRequired(_l("Saisissez votre mot de passe actuel.")),
            Length(max=INPUT_MAX_LENGTH),
        ],
        render_kw={"autocomplete": "current-password"},
    )


class FrenchDateField(DateField):
    """A date typed ``JJ/MM/AAAA`` in a text input (a birth date is typed, not picked from a
    calendar; the ISO form is accepted too), with a French error."""

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime("%d/%m/%Y") if self.data else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_l("Saisissez une date valide, par exemple 14/03/2012.")) from exc


class LoginForm(FlaskForm):
    identifier = StringField(
        _l("votre identifiant"),
        validators=[DataRequired(_l("Saisissez votre identifiant.")), Length(max=INPUT_MAX_LENGTH)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("votre mot de passe"),
        validators=[
            DataRequired(_l("Saisissez votre mot de passe.")),
            Length(max=INPUT_MAX_LENGTH),
        ],
        render_kw={"autocomplete": "current-password"},
    )


class FirstConnectionForm(FlaskForm):
    """« Première connexion » (ACC-4): the address is mandatory for a representative only."""

    password = _new_password(_l("nouveau mot de passe"))
    password_confirmation = _password_confirmation(_l("confirmation du mot de passe"))
    email = EmailField(
        _l("votre adresse mail"),
        filters=[_strip],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    email_confirmation = EmailField(
        _l("confirmation de l'adresse mail"),
        filters=[_strip],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    birth_date = FrenchDateField(
        _l("date de naissance"),
        format=["%d/%m/%Y", "%Y-%m-%d"],
        validators=[InputRequired(_l("Saisissez la date de naissance."))],
        render_kw={"autocomplete": "off"},
    )

    def __init__(self, *args: Any, email_required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email_required = email_required

    def validate_email(self, field: Field) -> None:
        value = (field.data or "").strip()
        if not value:
            if self.email_required:
                raise ValidationError(_l("Saisissez votre adresse mail."))
            return
        for validator in _email_validators():
            validator(self, field)

    def validate_email_confirmation(self, field: Field) -> None:
        if (self.email.data or "").strip() or (field.data or "").strip():
            _same_address(self, field)


class EmailForm(FlaskForm):
    """Correct the address a confirmation e-mail is sent to."""

    email = EmailField(
        _l("votre adresse mail"),
        filters=[_strip],
        validators=[DataRequired(_l("Saisissez votre adresse mail.")), *_email_validators()],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    email_confirmation = EmailField(
        _l("confirmation de l'adresse mail"),
        filters=[_strip],
        validators=[DataRequired(_l("Confirmez votre adresse mail.")), _same_address],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )


class ForgottenIdentifierForm(FlaskForm):
    email = EmailField(
        _l("votre adresse mail"),
        filters=[_strip],
        validators=[DataRequired(_l("Saisissez votre adresse mail.")), *_email_validators()],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )


class ForgottenPasswordForm(FlaskForm):
    identifier = StringField(
        _l("votre identifiant"),
        validators=[DataRequired(_l("Saisissez votre identifiant.")), Length(max=INPUT_MAX_LENGTH)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )


class ResetPasswordForm(FlaskForm):
    identifier = StringField(
        _l("votre identifiant"),
        validators=[DataRequired(_l("Saisissez votre identifiant.")), Length(max=INPUT_MAX_LENGTH)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = _new_password(_l("votre nouveau mot de passe"))
    password_confirmation = _password_confirmation(_l("confirmation du nouveau mot de passe"))


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token (se déconnecter, renvoyer le mail)."""


class ChangePasswordForm(FlaskForm):
    """« Gérer son compte »: a new password, given the current one."""

    current_password = _current_password()
    password = _new_password(_l("nouveau mot de passe"))
    password_confirmation = _password_confirmation(_l("confirmation du mot de passe"))


class ChangeEmailForm(EmailForm):
    """« Gérer son compte »: a new address, given the current password."""

    current_password = _current_password()


class MergeForm(FlaskForm):
    """« Regrouper des comptes »: the other account's credentials, as printed on its letter."""

    identifier = StringField(
        _l("identifiant"),
        validators=[DataRequired(_l("Saisissez l'identifiant.")), Length(max=INPUT_MAX_LENGTH)],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("mot de passe"),
        validators=[DataRequired(_l("Saisissez le mot de passe.")), Length(max=INPUT_MAX_LENGTH)],
        render_kw={"autocomplete": "off"},
    )
    birth_date = FrenchDateField(
        _l("date de naissance de l'enfant"),
        format=["%d/%m/%Y", "%Y-%m-%d"],
        validators=[Optional()],
        render_kw={"autocomplete": "off"},
    )
