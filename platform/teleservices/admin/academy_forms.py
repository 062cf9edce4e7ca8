"""Forms of the academy and platform administration: establishments, experiments, academies,
and the SIECLE upload."""

from __future__ import annotations

import re
from email.utils import parseaddr

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    MultipleFileField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from teleservices.opening import MODULE_LABELS
from teleservices.tenancy.models import EstablishmentType, SiecleModule
from teleservices.tenancy.uai import check_letter

MAX_EMAILS = 10
ACADEMY_CODE = re.compile(r"^ac-[a-z0-9]+(-[a-z0-9]+)*$")
HOST_NAME = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
UAI_SHAPE = re.compile(r"^\d{7}[A-Z]$")


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def lines(value: str | None) -> list[str]:
    """The non-empty, stripped lines of a text area, in order, without duplicates."""
    seen: list[str] = []
    for line in (value or "").splitlines():
        item = line.strip()
        if item and item not in seen:
            seen.append(item)
    return seen


class EstablishmentForm(FlaskForm):
    """An establishment of the academy (TEN-2); ``uai`` is removed when editing."""

    uai = StringField(
        _l("UAI"),
        description=_l("7 chiffres suivis de la lettre de contrôle, par exemple 0251711Z."),
        filters=[lambda value: (value or "").strip().upper()],
        validators=[DataRequired(_l("L'UAI est obligatoire."))],
    )
    type = SelectField(
        _l("Type d'établissement"),
        choices=[SelectChoice(t.value, t.label) for t in EstablishmentType],
    )
    name = StringField(
        _l("Nom"),
        validators=[
            DataRequired(_l("Le nom est obligatoire.")),
            Length(max=200, message=_l("200 caractères au plus.")),
        ],
    )
    address = StringField(
        _l("Adresse"), validators=[Length(max=300, message=_l("300 caractères au plus."))]
    )
    postal_code = StringField(
        _l("Code postal"), validators=[Length(max=10, message=_l("10 caractères au plus."))]
    )
    city = StringField(
        _l("Commune"), validators=[Length(max=100, message=_l("100 caractères au plus."))]
    )
    phone = StringField(
        _l("Téléphone"), validators=[Length(max=30, message=_l("30 caractères au plus."))]
    )
    emails = TextAreaField(
        _l("Adresses électroniques"),
        description=_l("Une adresse par ligne (10 au plus)."),
        render_kw={"rows": 3},
    )
    head_name = StringField(
        _l("Nom du chef d'établissement"),
        validators=[Length(max=200, message=_l("200 caractères au plus."))],
    )
    siecle_modules = CheckboxesField(
        _l("Modules SIECLE utilisés"),
        description=_l(
            "Un téléservice qui a besoin d'un module n'est ouvert que si le module est utilisé."
        ),
        choices=[SelectChoice(m.value, MODULE_LABELS.get(m.value, m.value)) for m in SiecleModule],
    )

    def validate_uai(self, field: Field) -> None:
        value = field.data or ""
        if not UAI_SHAPE.match(value):
            raise ValidationError(_l("Un UAI compte 7 chiffres suivis d'une lettre."))
        expected = check_letter(value[:7])
        if value[7] != expected:
            raise ValidationError(
                _l("La lettre de contrôle de cet UAI devrait être « %(letter)s ».", letter=expected)
            )

    def validate_emails(self, field: Field) -> None:
        addresses = lines(field.data)
        if len(addresses) > MAX_EMAILS:
            raise ValidationError(_l("10 adresses au plus."))
        for address in addresses:
            if len(address) > 320 or not EMAIL.match(address):
                raise ValidationError(
                    _l("Adresse électronique invalide : « %(address)s ».", address=address)
                )


class ExperimentForm(FlaskForm):
    """An experimental téléservice and the establishments it is offered to."""

    code = SelectField(_l("Téléservice"), choices=[])
    establishments = CheckboxesField(
        _l("Établissements retenus"),
        description=_l("Le téléservice est fermé dans tous les autres établissements."),
        choices=[],
    )


class AcademyForm(FlaskForm):
    """An academy as the platform administrator manages it; ``code`` is removed when editing."""

    code = StringField(
        _l("Code"),
        description=_l("« ac- » suivi de lettres minuscules, chiffres ou tirets (ac-besancon)."),
        filters=[lambda value: (value or "").strip().lower()],
        validators=[DataRequired(_l("Le code est obligatoire.")), Length(max=40)],
    )
    name = StringField(
        _l("Nom"),
        validators=[
            DataRequired(_l("Le nom est obligatoire.")),
            Length(max=200, message=_l("200 caractères au plus.")),
        ],
    )
    host_names = TextAreaField(
        _l("Noms d'hôte"),
        description=_l("Un nom par ligne, par exemple teleservices.ac-besancon.fr."),
        render_kw={"rows": 3},
    )
    mail_sender = StringField(
        _l("Expéditeur des courriels"),
        description=_l("Par exemple : Scolarité services <ne-pas-repondre@ac-besancon.fr>."),
        validators=[Optional(), Length(max=200, message=_l("200 caractères au plus."))],
    )

    def validate_code(self, field: Field) -> None:
        if not ACADEMY_CODE.match(field.data or ""):
            raise ValidationError(
                _l("Le code commence par « ac- » suivi de lettres minuscules, chiffres ou tirets.")
            )

    def validate_host_names(self, field: Field) -> None:
        for host in lines(field.data):
            if not HOST_NAME.match(host.lower()):
                raise ValidationError(_l("Nom d'hôte invalide : « %(host)s ».", host=host))

    def validate_mail_sender(self, field: Field) -> None:
        _name, address = parseaddr(field.data or "")
        if field.data and not EMAIL.match(address):
            raise ValidationError(_l("Indiquez une adresse électronique d'expéditeur valide."))


class UploadForm(FlaskForm):
    """The SIECLE exports to import (``.xml`` or ``.zip``, several at once)."""

    files = MultipleFileField(
        _l("Fichiers SIECLE"),
        description=_l(
            "Exports de Base élèves (.xml) ou archives .zip telles que SIECLE les fournit ; "
            "plusieurs fichiers à la fois."
        ),
        render_kw={"accept": ".xml,.zip"},
    )
