"""The staff area's forms: login, TOTP code, delegation, Paramétrage screens, audit filters."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    Field,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from teleservices.admin import accounts, sanitizer
from teleservices.admin.establishment_settings import CourierType

URL_MAX_LENGTH = 500
LABEL_MAX_LENGTH = 120


def is_web_url(value: str) -> bool:
    """An absolute http(s) URL with a host name, without spaces or control characters."""
    if not value or len(value) > URL_MAX_LENGTH or any(c.isspace() or ord(c) < 32 for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


class WebUrl:
    """Validator: an http:// or https:// address (``javascript:``, ``data:``… are refused)."""

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data and not is_web_url(field.data.strip()):
            raise ValidationError(
                _l("Saisissez une adresse web complète commençant par http:// ou https://.")
            )


class LoginForm(FlaskForm):
    login = StringField(
        _l("Identifiant"), validators=[DataRequired(_l("Saisissez votre identifiant."))]
    )
    password = PasswordField(
        _l("Mot de passe"), validators=[DataRequired(_l("Saisissez votre mot de passe."))]
    )
    next = HiddenField()


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code à 6 chiffres"),
        description=_l("Le code affiché par votre application d'authentification."),
        validators=[DataRequired(_l("Saisissez le code à 6 chiffres."))],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ConfirmForm(FlaskForm):
    """A form with only its CSRF token (actions confirmed by a button)."""


class DelegateForm(FlaskForm):
    login = StringField(
        _l("Identifiant"),
        description=_l("Lettres minuscules, chiffres, point ou tiret (par exemple marie.durand)."),
        validators=[DataRequired(_l("L'identifiant est obligatoire."))],
    )
    display_name = StringField(
        _l("Nom et prénom"),
        validators=[DataRequired(_l("Le nom est obligatoire.")), Length(max=200)],
    )
    email = EmailField(
        _l("Adresse électronique"),
        validators=[Optional(), Email(_l("Adresse électronique invalide.")), Length(max=320)],
    )
    password = PasswordField(
        _l("Mot de passe initial"),
        description=_l("12 caractères au moins, dont une lettre et un chiffre."),
        validators=[DataRequired(_l("Le mot de passe est obligatoire."))],
    )

    def validate_login(self, field: Field) -> None:
        if not accounts.LOGIN_PATTERN.match(accounts.normalise_login(field.data or "")):
            raise ValidationError(accounts.LOGIN_MESSAGE)

    def validate_password(self, field: Field) -> None:
        errors = accounts.password_errors(field.data or "")
        if errors:
            raise ValidationError(errors[0])


class WelcomeMessageForm(FlaskForm):
    message = TextAreaField(
        _l("Message d'accueil"),
        description=_l(
            "2 000 caractères au plus. Mise en forme possible : <b>gras</b>, <i>italique</i>, "
            '<a href="https://…">lien</a>.'
        ),
        filters=[lambda value: sanitizer.normalise_newlines(value or "")],
        render_kw={"rows": 10},
    )

    def validate_message(self, field: Field) -> None:
        length = len(field.data or "")
        if length > sanitizer.MAX_LENGTH:
            raise ValidationError(
                _l(
                    "Le message d'accueil ne doit pas dépasser 2 000 caractères "
                    "(il en compte %(count)s).",
                    count=length,
                )
            )


class EntForm(FlaskForm):
    courier_type = RadioField(
        _l("Type de courrier"),
        choices=[SelectChoice(c.value, c.label) for c in CourierType],
        validators=[InputRequired(_l("Choisissez le type de courrier."))],
    )
    predefined = SelectField(
        _l("Lien ENT prédéfini par l'académie"), choices=[], default="", validate_choice=True
    )
    specific_url = URLField(
        _l("Lien ENT spécifique à l'établissement"),
        description=_l(
            "Adresse commençant par http:// ou https://, si l'ENT a une adresse propre."
        ),
        validators=[Optional(), WebUrl()],
    )

    def chosen_url(self) -> str:
        return (self.specific_url.data or "").strip() or (self.predefined.data or "")

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.courier_type.data != CourierType.TELESERVICES.value and not self.chosen_url():
            self.specific_url.errors = [
                _l("Choisissez un lien ENT prédéfini ou saisissez l'adresse de l'ENT.")
            ]
            return False
        return True


class ContactForm(FlaskForm):
    email = SelectField(_l("Adresse électronique de contact"), choices=[])
    active = RadioField(
        _l("Lien de contact"),
        choices=[SelectChoice("1", _l("Actif")), SelectChoice("0", _l("Non actif"))],
        validators=[InputRequired(_l("Indiquez si le lien de contact est actif."))],
    )


class UsefulLinkForm(FlaskForm):
    label = StringField(
        _l("Libellé"),
        validators=[
            DataRequired(_l("Le libellé est obligatoire.")),
            Length(max=LABEL_MAX_LENGTH, message=_l("120 caractères au plus.")),
        ],
    )
    url = URLField(
        _l("Adresse (URL)"),
        description=_l("Commençant par http:// ou https://."),
        validators=[DataRequired(_l("L'adresse est obligatoire.")), WebUrl()],
    )


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = SelectField(_l("Action"), choices=[], validate_choice=False)
    actor = StringField(_l("Auteur contient"), validators=[Optional(), Length(max=100)])
    start = DateField(_l("Du"), validators=[Optional()])
    end = DateField(_l("Au"), validators=[Optional()])
    establishment = SelectField(_l("Établissement"), choices=[], validate_choice=False)


class AssistanceSearchForm(FlaskForm):
    """« Gérer le compte responsable / élève »: the search criteria (a GET form)."""

    class Meta:
        csrf = False

    nom = StringField(
        _l("Première(s) lettre(s) du nom de l'élève"), validators=[Optional(), Length(max=100)]
    )
    mef = SelectField(_l("MEF"), choices=[], validate_choice=False)
    division = SelectField(_l("Division"), choices=[], validate_choice=False)
    etat = SelectField(_l("État du compte"), choices=[], validate_choice=False)


class RenotifyForm(FlaskForm):
    mode = RadioField(
        _l("Mode de notification"),
        choices=[
            SelectChoice("letter", _l("Courrier papier (PDF)")),
            SelectChoice("email", _l("Courriel")),
        ],
        default="letter",
        validators=[InputRequired(_l("Choisissez le mode de notification."))],
    )


class ResendActivationForm(FlaskForm):
    email = EmailField(
        _l("Adresse mail du compte"),
        description=_l("Corrigez-la si la famille s'est trompée en la saisissant."),
        validators=[
            DataRequired(_l("Saisissez l'adresse mail.")),
            Email(_l("Saisissez une adresse mail valide, par exemple nom@exemple.fr.")),
            Length(max=320),
        ],
    )


class WriteForm(FlaskForm):
    subject = StringField(
        _l("Objet"),
        validators=[DataRequired(_l("Saisissez l'objet du courriel.")), Length(max=200)],
    )
    body = TextAreaField(
        _l("Message"),
        validators=[DataRequired(_l("Saisissez le message.")), Length(max=5000)],
        render_kw={"rows": 8},
    )
