"""``LetterContext``: what a batch of letters shares — sender, date and internet address (§2.8).

The address printed follows the establishment's courier type: « Téléservices » and « Mixte
ENT/Téléservices » give the portal's address (``{BASE_URL}/{academy code}/``), « Mixte » adding a
sentence on the ENT link of the portal's home page; « ENT seul » gives the ENT's address (the
portal's when no ENT address was entered). ``letter_context`` reads the courier type and ENT
address from the establishment's Paramétrage; tests and previews may give them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from babel.dates import format_date
from flask import current_app

from teleservices.tenancy.models import Academy, Establishment

TELESERVICES = "teleservices"
MIXTE = "mixte"
ENT_SEUL = "ent_seul"
COURIER_TYPES = (TELESERVICES, MIXTE, ENT_SEUL)
ENT_MENTION = (
    "L'espace numérique de travail (ENT) de l'établissement est également accessible par le "
    "lien proposé sur la page d'accueil de ces services."
)


def long_date(value: date) -> str:
    """``1er septembre 2025``, ``18 juillet 2017``: the date as a French letter writes it."""
    text = format_date(value, "d MMMM y", locale="fr_FR")
    return "1er" + text[1:] if value.day == 1 else text


@dataclass(frozen=True)
class LetterContext:
    """The sender and the settings shared by every letter of a batch."""

    academy: Academy
    establishment: Establishment
    portal_url: str
    courier_type: str = TELESERVICES
    ent_url: str = ""
    letter_date: date = field(default_factory=date.today)

    def __post_init__(self) -> None:
        if self.courier_type not in COURIER_TYPES:
            raise ValueError(f"type de courrier inconnu : {self.courier_type}")

    @property
    def internet_address(self) -> str:
        """The one address the letters give (§2.8: never both)."""
        if self.courier_type == ENT_SEUL and self.ent_url:
            return self.ent_url
        return self.portal_url

    @property
    def ent_mention(self) -> str:
        """The sentence on the portal's ENT link, for the « Mixte » type only."""
        return ENT_MENTION if self.courier_type == MIXTE else ""

    @property
    def place(self) -> str:
        return self.establishment.city

    @property
    def date_text(self) -> str:
        return long_date(self.letter_date)


def portal_url(academy: Academy) -> str:
    """The portal's address for an academy: ``{BASE_URL}/{academy code}/``."""
    return f"{str(current_app.config['BASE_URL']).rstrip('/')}/{academy.code}/"


def letter_context(
    academy: Academy,
    establishment: Establishment,
    *,
    courier_type: str | None = None,
    ent_url: str | None = None,
    on: date | None = None,
) -> LetterContext:
    """The context of a batch: the courier type and ENT address of the Paramétrage unless given."""
    if courier_type is None:
        from teleservices.admin.establishment_settings import get_establishment_settings

        settings = get_establishment_settings(establishment)
        courier_type = settings.courier_type.value
        ent_url = settings.ent_url if ent_url is None else ent_url
    return LetterContext(
        academy=academy,
        establishment=establishment,
        portal_url=portal_url(academy),
        courier_type=courier_type,
        ent_url=ent_url or "",
        letter_date=on or date.today(),
    )
