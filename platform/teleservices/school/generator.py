"""The synthetic academy: real SIECLE exports written from a seed, and the ``generate`` command.

Per establishment, ``SiecleGenerator`` writes ``ElevesSansAdresses.xml`` (``BEE_ELEVES``),
``ResponsablesAvecAdresses.xml`` (``BEE_RESPONSABLES``) and ``Nomenclature.xml``
(``BEE_NOMENCLATURES``) in ISO-8859-15, shaped like the samples described in FORMATS.md, so that the
demo, the tests and the benchmark go through the real import path. The people are invented but
awkward on purpose: accents, œ, apostrophes, compound and particle names, usage names, homonyms,
a son named like his father, siblings in the same establishment (one person, one PERSONNE_ID) and in
two establishments of the academy (two exports: same name and e-mail, two PERSONNE_IDs), 1 or 2
level-1 representatives per student and adult students responsible for themselves
(``CODE_PARENTE`` 70).

Every value is derived from the seed student by student and nothing is kept between students, so the
same seed gives the same bytes and memory stays bounded whatever the size: the sections that come
later in a file (options, structures, links, addresses) are spooled to temporary files and appended.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import tempfile
import unicodedata
import zlib
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import IO

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from teleservices.extensions import db
from teleservices.tenancy.context import all_academies, tenant
from teleservices.tenancy.models import Academy, Establishment, EstablishmentType
from teleservices.tenancy.uai import check_letter

ENCODING = "ISO-8859-15"
ELEVES_FILE = "ElevesSansAdresses.xml"
RESPONSABLES_FILE = "ResponsablesAvecAdresses.xml"
NOMENCLATURE_FILE = "Nomenclature.xml"
DEFAULT_YEAR = 2025
DEFAULT_SEED = 1
DEFAULT_MODULES = ("notes", "vie_scolaire", "edt")
MAX_ESTABLISHMENTS = 999  # ELEVE_ID, PERSONNE_ID and INE numbers are built from the position
MAX_STUDENTS = 999_999
ACADEMY_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")

# --- Names: the first entries of each list are the most frequent (see ``_skewed``). --------------

BOYS = (
    "Lucas", "Hugo", "Louis", "Gabriel", "Raphaël", "Arthur", "Jules", "Léo", "Adam", "Maël",
    "Noé", "Paul", "Nathan", "Théo", "Mathéo", "Thomas", "Ethan", "Sacha", "Tom", "Clément",
    "Antoine", "Baptiste", "Maxime", "Valentin", "Enzo", "Yanis", "Loïc", "Gaël", "Benoît",
    "Jérôme", "François", "Joël", "Timothée", "Côme", "Anatole", "Grégoire", "Aurélien", "Kylian",
    "Mohamed", "Ibrahim", "Noah", "Eliott", "Médéric", "Jean-Noël", "Jean-Baptiste",
    "Pierre-Louis", "Jean-François", "Louis-Gaël", "Hélios", "Joachim",
)  # fmt: skip
GIRLS = (
    "Louise", "Emma", "Jade", "Alice", "Chloé", "Léa", "Rose", "Lina", "Zoé", "Inès", "Manon",
    "Camille", "Anaïs", "Léonie", "Agathe", "Maëlle", "Éloïse", "Juliette", "Margaux", "Salomé",
    "Clémence", "Noémie", "Océane", "Célia", "Héloïse", "Maïwenn", "Bérénice", "Apolline",
    "Joséphine", "Éléonore", "Maëlys", "Zoë", "Noëlie", "Cécile", "Hélène", "Aïcha", "Yasmine",
    "Fatoumata", "Sarah", "Laurène", "Marie-Ève", "Anne-Sophie", "Marie-Thérèse", "Lou-Anne",
)  # fmt: skip
MEN = (
    "Nicolas", "Sébastien", "Julien", "Stéphane", "Frédéric", "Christophe", "Laurent", "Olivier",
    "Jérôme", "Cédric", "David", "Grégory", "Benoît", "François", "Philippe", "Pierre", "Jean",
    "Éric", "Rémi", "Hervé", "Thierry", "Pascal", "Ludovic", "Mickaël", "Aurélien", "Jérémie",
    "Loïc", "Joël", "Gaëtan", "José", "Karim", "Mehdi", "Jean-Noël", "Jean-Marc", "Jean-Luc",
)  # fmt: skip
WOMEN = (
    "Céline", "Aurélie", "Émilie", "Stéphanie", "Sandrine", "Nathalie", "Isabelle", "Sophie",
    "Élodie", "Valérie", "Véronique", "Hélène", "Claire", "Karine", "Mélanie", "Séverine",
    "Gaëlle", "Laëtitia", "Cécile", "Amélie", "Sylvie", "Agnès", "Béatrice", "Christèle", "Maïté",
    "Noëlle", "Bérangère", "Françoise", "Nadia", "Fatima", "Anne-Marie", "Marie-Hélène",
    "Marie-Noëlle",
)  # fmt: skip
COMMON_NAMES = (
    "MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS", "MOREAU",
    "LAURENT", "SIMON", "MICHEL", "LEFÈVRE", "LEROY", "ROUX", "DAVID", "BERTRAND", "MOREL",
    "FOURNIER", "GIRARD", "BONNET", "DUPONT", "LAMBERT", "FONTAINE", "ROUSSEAU", "VINCENT",
    "MULLER", "LEFEBVRE", "FAURE", "ANDRÉ", "MERCIER", "BLANC", "GUÉRIN", "BOYER", "GARNIER",
    "CHEVALIER", "FRANÇOIS", "LEGRAND", "GAUTHIER", "GARCIA", "PERRIN", "ROBIN", "CLÉMENT",
    "MORIN", "NICOLAS", "HENRY", "ROUSSEL", "MATHIEU", "MASSON", "MARCHAND", "DUVAL", "DENIS",
    "DUMONT", "LEMAIRE", "NOËL", "MEYER", "DUFOUR", "MEUNIER", "BRUN", "BLANCHARD", "GIRAUD",
    "JOLY", "RIVIÈRE", "LUCAS", "BRUNET", "GAILLARD", "BARBIER", "ARNAUD", "MARTINEZ", "GÉRARD",
    "ROCHE", "RENARD", "SCHMITT", "COLIN", "VIDAL", "CARON", "PICARD", "FABRE", "AUBERT",
    "LEMOINE", "RENAUD", "DUMAS", "LACROIX", "BOURGEOIS", "BENOÎT", "LECLERC", "GUILLAUME",
    "HUBERT", "CARRÉ", "MÉNARD", "PRÉVOST", "HERVÉ", "LÉGER", "BARTHÉLEMY", "MARÉCHAL",
    "LEMAÎTRE", "BÉNARD", "RÉMY", "ÉTIENNE",
)  # fmt: skip
RARE_NAMES = (
    "D'ALMEIDA", "D'HONDT", "N'DIAYE", "L'HERMITE", "D'AMICO", "DUVAL-ÉTIENNE",
    "MARTIN-LÉVÊQUE", "LEROY-BEAULIEU", "BENOÎT-GONIN", "LE GOFF", "LE GALL", "LE ROUX",
    "DE LA FONTAINE", "DA SILVA", "DOS SANTOS", "VAN DER BERG", "BEN SAÏD", "CŒURDEVEY",
    "LEBŒUF", "NGUYEN", "TRAN", "TRAORÉ", "DIALLO", "MAÏGA", "HAÏDARA", "ÇELIK", "KOUASSI",
    "JACQUOT", "VUILLEMIN", "GRANDJEAN", "COURVOISIER", "PERRENOUD", "BOILLOT", "TISSOT",
    "MOUGIN", "CUENOT", "PÉQUIGNOT", "DÉMOLY", "FAIVRE-PIERRET", "SAINT-ÈVE",
)  # fmt: skip
STREETS = (
    "RUE DES TILLEULS", "AVENUE DE LA REPUBLIQUE", "RUE VICTOR HUGO", "CHEMIN DES VIGNES",
    "IMPASSE DU MOULIN", "PLACE DE L'EGLISE", "RUE DU GENERAL DE GAULLE", "ALLEE DES ACACIAS",
    "RUE DE LA GARE", "GRANDE RUE", "RUE PASTEUR", "BOULEVARD CHARLES DE GAULLE",
    "RUE DES ECOLES", "ROUTE NATIONALE", "RUE DU CHATEAU", "RUE D'ARENES",
)  # fmt: skip
# (commune, postal code, INSEE code, département): birth places, homes and establishments.
COMMUNES = (
    ("Besançon", "25000", "25056", "025"), ("Montbéliard", "25200", "25388", "025"),
    ("Pontarlier", "25300", "25462", "025"), ("Audincourt", "25400", "25031", "025"),
    ("Morteau", "25500", "25411", "025"), ("Dole", "39100", "39198", "039"),
    ("Lons-le-Saunier", "39000", "39300", "039"), ("Saint-Claude", "39200", "39478", "039"),
    ("Champagnole", "39300", "39097", "039"), ("Vesoul", "70000", "70550", "070"),
    ("Héricourt", "70400", "70285", "070"), ("Gray", "70100", "70279", "070"),
    ("Lure", "70200", "70310", "070"), ("Luxeuil-les-Bains", "70300", "70311", "070"),
    ("Belfort", "90000", "90010", "090"), ("Delle", "90100", "90033", "090"),
    ("Épinal", "88000", "88160", "088"), ("Saint-Dié-des-Vosges", "88100", "88413", "088"),
)  # fmt: skip
# (CODE_PAYS, city) for students born abroad.
ABROAD = (
    ("132", "LONDRES"), ("131", "LIÈGE"), ("109", "FRANCFORT"), ("127", "TURIN"),
    ("134", "SÉVILLE"), ("139", "PORTO"), ("350", "CASABLANCA"), ("352", "ORAN"),
    ("351", "TUNIS"), ("341", "DAKAR"), ("140", "GENÈVE"),
)  # fmt: skip
PATRONS = (
    "Victor Hugo", "Louis Pasteur", "Jules Ferry", "Marie Curie", "Jean Moulin", "Simone Veil",
    "Condorcet", "Gustave Courbet", "Jean Jaurès", "Lucie Aubrac", "Colette", "Albert Camus",
    "Germaine Tillion", "Claude-Nicolas Ledoux", "Georges Brassens", "Jacques Prévert",
    "Louise Michel", "Olympe de Gouges", "Édouard Belin", "Saint-Exupéry", "Émile Zola",
    "Paul Éluard", "Jean de La Fontaine", "Voltaire", "Rosa Parks", "Toussaint Louverture",
    "Joséphine Baker", "Gaston Bachelard", "Xavier Bichat", "Les Tilleuls", "Le Grand Chênois",
    "Pierre et Marie Curie", "Lumière", "Anne Frank",
)  # fmt: skip
ESTABLISHMENT_STREETS = (
    "rue des Écoles", "avenue de la République", "rue du Collège", "place de la Mairie",
    "rue du Stade", "boulevard Gambetta", "chemin des Vignes", "rue Pasteur",
)  # fmt: skip
DOMAINS = ("example.invalid", "exemple.invalid", "courriel.invalid", "messagerie.invalid")
# ARCEP ranges reserved for fiction: these numbers never ring anybody.
LANDLINES = ("01 99 00", "02 61 91", "03 53 01", "04 65 71", "05 36 49")
MOBILES = ("06 39 98",)
PROFESSIONS = (
    "10", "21", "22", "23", "31", "33", "34", "35", "37", "38", "42", "43", "45", "46", "47",
    "48", "52", "53", "54", "55", "56", "61", "66", "69", "71", "81", "84", "99",
)  # fmt: skip
TYPE_PATTERN = (
    EstablishmentType.COLLEGE, EstablishmentType.LYCEE, EstablishmentType.COLLEGE,
    EstablishmentType.LP, EstablishmentType.COLLEGE, EstablishmentType.LYCEE,
    EstablishmentType.COLLEGE, EstablishmentType.COLLEGE, EstablishmentType.LYCEE,
    EstablishmentType.COLLEGE,
)  # fmt: skip
METROPOLITAN_DEPARTEMENTS = tuple(f"{n:03d}" for n in range(1, 96) if n != 20)


@dataclass(frozen=True)
class _Mef:
    """A MEF of the nomenclature and how the generator fills it."""

    code: str
    formation: str
    label: str
    edition: str
    mefstat: str
    division: str  # prefix of its divisions' codes
    age: int  # usual age at the rentrée
    weight: int  # share of the establishment's students
    entry: bool  # first year in this kind of establishment
    lv2: bool  # students take a second modern language


def _mefs(rows: str, lv2_from: int | None) -> tuple[_Mef, ...]:
    """MEFs from ``code|formation|libellé long|libellé d'édition|MEFSTAT|division|age|weight``
    lines, in course order; students take a second language from the ``lv2_from``-th year on.
    """
    mefs: list[_Mef] = []
    for rank, row in enumerate(rows.strip().splitlines()):
        code, formation, label, edition, mefstat, division, age, weight = row.split("|")
        lv2 = lv2_from is not None and rank >= lv2_from
        mefs.append(
            _Mef(
                code,
                formation,
                label,
                edition,
                mefstat,
                division,
                int(age),
                int(weight),
                rank == 0,
                lv2,
            )
        )
    return tuple(mefs)


# 6EME and 3EME are the national codes quoted in the samples; the other MEF and MEFSTAT codes follow
# the same shape (MEFSTAT4 = first 4 characters) but were not checked against the national tables.
COLLEGE_MEFS = _mefs(
    """
10010012110|6EME|6EME|6eme|21110010012|6|11|25
10110001110|5EME|5EME|5eme|21120010011|5|12|25
10210001110|4EME|4EME|4eme|21150010011|4|13|25
10310019110|3EME|3EME|3eme|21160010019|3|14|25
""",
    lv2_from=1,
)
LYCEE_MEFS = _mefs(
    """
20010018110|2NDE GENERALE ET TECHNOLOGIQUE|2NDE GENERALE ET TECHNOLOGIQUE|2nde générale et technologique|22110010018|2NDE|15|35
20110019110|1ERE GENERALE|1ERE GENERALE|1re générale|22120010019|1G|16|27
21131016110|1ERE STMG|1ERE STMG SC.TECHNO.MANAGEMENT GESTION|1re STMG|22130010116|1STMG|16|8
20210019110|TERMINALE GENERALE|TERMINALE GENERALE|Terminale générale|22160010019|TG|17|23
21231016110|TLE STMG|TLE STMG SC.TECHNO.MANAGEMENT GESTION|Terminale STMG|22170010116|TSTMG|17|7
""",
    lv2_from=0,
)
LP_MEFS = _mefs(
    """
24731213310|2NDPRO MET.RELATION CLIENT|2NDPRO METIERS DE LA RELATION CLIENT|2de pro relation client|24720031213|2MRC|15|26
24631213310|1ERPRO MET.RELATION CLIENT|1ERPRO METIERS DE LA RELATION CLIENT|1re pro relation client|24730031213|1MRC|16|22
24531213310|TLEPRO MET.RELATION CLIENT|TLEPRO METIERS DE LA RELATION CLIENT|Tle pro relation client|24740031213|TMRC|17|20
""",
    lv2_from=None,
)
CAP_MEFS = _mefs(
    """
50031215210|1CAP2 EQUIPIER POLYVALENT COMMERCE|1CAP2 EQUIPIER POLYVALENT DU COMMERCE|1re année CAP EPC|24210031215|1CAP|15|17
50131215220|2CAP2 EQUIPIER POLYVALENT COMMERCE|2CAP2 EQUIPIER POLYVALENT DU COMMERCE|2e année CAP EPC|24220031215|2CAP|16|15
""",
    lv2_from=None,
)
MEFS_BY_TYPE = {
    EstablishmentType.COLLEGE: COLLEGE_MEFS,
    EstablishmentType.LYCEE: LYCEE_MEFS,
    EstablishmentType.LP: LP_MEFS + CAP_MEFS,
    EstablishmentType.EREA: CAP_MEFS,
}
CLASS_SIZE = {
    EstablishmentType.COLLEGE: 27,
    EstablishmentType.LYCEE: 34,
    EstablishmentType.LP: 24,
    EstablishmentType.EREA: 12,
}
# (CODE_REGIME, weight) per type of establishment.
REGIMES = {
    EstablishmentType.COLLEGE: (("0", 24), ("2", 70), ("29", 6)),
    EstablishmentType.LYCEE: (("0", 25), ("2", 58), ("3", 12), ("38", 3), ("39", 2)),
    EstablishmentType.LP: (("0", 25), ("2", 50), ("3", 20), ("4", 5)),
    EstablishmentType.EREA: (("2", 40), ("3", 55), ("5", 5)),
}
# (CODE_MATIERE, CODE_GESTION, LIBELLE_COURT, LIBELLE_LONG, LIBELLE_EDITION); codes have the
# national shape (6 digits), LIBELLE_COURT is padded like real exports pad some labels.
SUBJECTS = (
    ("030201", "AGL1", "ANGLAIS LV1", "ANGLAIS LV1", "Anglais LV1"),
    ("030602", "ESP2", "ESPAGNOL LV2", "ESPAGNOL LV2", "Espagnol LV2"),
    ("030102", "ALL2", "ALLEMAND LV2", "ALLEMAND LV2", "Allemand LV2"),
    ("030802", "ITA2", "ITALIEN LV2", "ITALIEN LV2", "Italien LV2"),
    ("020300", "LCALA", "LCA LATIN", "LANGUES ET CULTURES DE L'ANTIQUITE LATIN", "LCA latin"),
    ("020700", "FRANC", "FRANCAIS", "FRANCAIS", "Français"),
    ("061300", "MATHS", "MATHEMATIQUES", "MATHEMATIQUES", "Mathématiques"),
    ("040600", "HIGEO", "HIST.-GEO.", "HISTOIRE-GEOGRAPHIE", "Histoire-géographie"),
    (
        "062900",
        "SVT",
        "SVT",
        "SCIENCES DE LA VIE ET DE LA TERRE",
        "Sciences de la vie et de la Terre",
    ),
    ("063300", "PH-CH", "PHYS.-CHIMIE", "PHYSIQUE-CHIMIE", "Physique-chimie"),
    ("100100", "EPS", "EPS", "EDUCATION PHYSIQUE ET SPORTIVE", "Éducation physique et sportive"),
    ("083100", "TECHN", "TECHNOLOGIE", "TECHNOLOGIE", "Technologie"),
    ("312300", "ECOGE", "ECO.-GESTION", "ECONOMIE-GESTION", "Économie-gestion"),
)
LV2_SUBJECTS = (("030602", "ESP", 60), ("030102", "ALL", 25), ("030802", "ITA", 15))
LATIN = "020300"
LV1 = "030201"


@dataclass(frozen=True)
class EstablishmentSpec:
    """An establishment to generate: what ``tenants/<code>.toml`` declares about it."""

    uai: str
    type: EstablishmentType
    name: str
    address: str
    postal_code: str
    city: str


def siecle_files(directory: Path) -> list[Path]:
    """The three SIECLE files of a generated establishment, in the order an import takes them."""
    return [directory / NOMENCLATURE_FILE, directory / ELEVES_FILE, directory / RESPONSABLES_FILE]


@dataclass(frozen=True)
class GeneratedEstablishment:
    """The files written for one establishment, and what they hold."""

    uai: str
    directory: Path
    students: int
    persons: int
    links: int

    @property
    def paths(self) -> list[Path]:
        return siecle_files(self.directory)


@dataclass(frozen=True)
class _Person:
    id: int
    address_id: int
    civility: str
    family_name: str
    usage_name: str
    first_name: str
    email: str
    phone_home: str
    phone_mobile: str
    phone_work: str
    accepts_sms: bool
    profession: str
    shares_address: bool
    relationship: str  # CODE_PARENTE towards the family's children
    level: int  # NIVEAU_RESPONSABILITE towards the family's children
    pays_fees: bool


@dataclass(frozen=True)
class _Address:
    id: int
    line1: str
    line2: str
    postal_code: str
    city: str
    departement: str
    country: str
    foreign_city: str


@dataclass(frozen=True)
class _Family:
    anchor: int  # index of the family's first student in this establishment
    name: str  # the children's family name
    persons: tuple[_Person, ...]
    addresses: tuple[_Address, ...]


@dataclass(frozen=True)
class _Rendered:
    """One student's pieces of XML, and the people the responsables file needs for them."""

    eleve: str
    options: str
    structures: str
    family: _Family
    self_person: _Person | None  # an adult student responsible for themself
    links: list[str]


@dataclass(frozen=True)
class _Block:
    """A run of consecutive students sharing a MEF, split evenly into divisions."""

    mef: _Mef
    start: int
    size: int
    divisions: int


def _skewed(rng: random.Random, items: Sequence[str]) -> str:
    """Pick an item, the first ones more often (a crude Zipf law: it makes homonyms)."""
    return items[int(len(items) * rng.random() ** 1.3)]


def _weighted(rng: random.Random, choices: Sequence[tuple[str, int]]) -> str:
    total = sum(weight for _, weight in choices)
    point = rng.random() * total
    for value, weight in choices:
        point -= weight
        if point < 0:
            return value
    return choices[-1][0]


def _ascii_slug(value: str) -> str:
    """Lowercase ASCII letters, digits and hyphens of a name (for e-mail addresses)."""
    value = value.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", value.lower())
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c == "-"))


def _date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _phone(rng: random.Random, prefixes: Sequence[str]) -> str:
    return f"{rng.choice(prefixes)} {rng.randrange(100):02d} {rng.randrange(100):02d}"


def _email(rng: random.Random, first_name: str, name: str) -> str:
    suffix = str(rng.randrange(1, 99)) if rng.random() < 0.3 else ""
    return f"{_ascii_slug(first_name)}.{_ascii_slug(name)}{suffix}@{rng.choice(DOMAINS)}"


def _xml(value: str) -> str:
    if "&" in value or "<" in value or ">" in value:
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value


def _fields(pad: str, fields: Sequence[tuple[str, str | None]]) -> str:
    """Elements of a record; a ``None`` value leaves the element out, ``""`` writes it empty."""
    return "".join(f"{pad}<{tag}>{_xml(v)}</{tag}>\n" for tag, v in fields if v is not None)


def make_uai(departement: str, serial: int) -> str:
    """A valid UAI: 3 digits of département, 4 of serial, and the check letter."""
    digits = f"{int(departement):03d}{serial:04d}"
    return digits + check_letter(digits)


def plan_academy(
    academy_code: str, count: int, departement: str | None = None
) -> list[EstablishmentSpec]:
    """The ``count`` establishments of a synthetic academy: collèges, lycées and LP, valid UAIs.

    The UAIs are ``<département>9000``, ``…9001``…; the département defaults to one derived from the
    academy code, so two generated academies rarely share UAIs.
    """
    if not 1 <= count <= MAX_ESTABLISHMENTS:
        raise ValueError(f"Entre 1 et {MAX_ESTABLISHMENTS} établissements.")
    if departement is None:
        crc = zlib.crc32(academy_code.encode())
        departement = METROPOLITAN_DEPARTEMENTS[crc % len(METROPOLITAN_DEPARTEMENTS)]
    if not (departement.isdigit() and len(departement) == 3):
        raise ValueError(f"Département « {departement} » : 3 chiffres attendus.")
    specs = []
    for index in range(count):
        kind = TYPE_PATTERN[index % len(TYPE_PATTERN)]
        commune, postal_code, _insee, _dep = COMMUNES[(index * 7) % len(COMMUNES)]
        street = ESTABLISHMENT_STREETS[index % len(ESTABLISHMENT_STREETS)]
        specs.append(
            EstablishmentSpec(
                uai=make_uai(departement, 9000 + index),
                type=kind,
                name=f"{kind.label} {PATRONS[(index * 11) % len(PATRONS)]}",
                address=f"{1 + (index * 13) % 90} {street}",
                postal_code=postal_code,
                city=commune,
            )
        )
    return specs


def academy_name(academy_code: str) -> str:
    return f"Académie synthétique {academy_code}"


def _toml(value: str) -> str:
    """A TOML basic string (JSON's escapes are a subset of TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def tenant_declaration(
    academy_code: str, establishments: Sequence[EstablishmentSpec], name: str | None = None
) -> str:
    """The ``tenants/<code>.toml`` that declares the academy and its generated establishments."""
    lines = [
        "# Académie synthétique écrite par `teleservices generate` : données fictives.",
        f"code = {_toml(academy_code)}",
        f"name = {_toml(name or academy_name(academy_code))}",
    ]
    for spec in establishments:
        modules = ", ".join(_toml(m) for m in DEFAULT_MODULES)
        lines += [
            "",
            "[[establishments]]",
            f"uai = {_toml(spec.uai)}",
            f"type = {_toml(spec.type.value)}",
            f"name = {_toml(spec.name)}",
            f"address = {_toml(spec.address)}",
            f"postal_code = {_toml(spec.postal_code)}",
            f"city = {_toml(spec.city)}",
            f"emails = [{_toml(f'ce.{spec.uai.lower()}@{academy_code}.invalid')}]",
            f"siecle_modules = [{modules}]",
        ]
    return "\n".join(lines) + "\n"


class _Section:
    """A part of a file written to a temporary file first."""

    def __init__(self, raw: IO[bytes], text: io.TextIOWrapper) -> None:
        self.raw = raw
        self.text = text
        self.write = text.write
        self.writelines = text.writelines


class _XmlFile:
    """An ISO-8859-15 XML file written atomically, with sections spooled to temporary files."""

    def __init__(self, path: Path, stack: ExitStack) -> None:
        self.path = path
        self._partial = path.with_name(path.name + ".part")
        self._raw = stack.enter_context(open(self._partial, "wb"))  # noqa: SIM115
        stack.callback(self._partial.unlink, missing_ok=True)  # left behind only on failure
        self.out = self._text(self._raw)
        self._stack = stack

    @staticmethod
    def _text(raw: IO[bytes]) -> io.TextIOWrapper:
        # Characters outside ISO-8859-15 become character references: still the same text.
        return io.TextIOWrapper(raw, encoding=ENCODING, errors="xmlcharrefreplace", newline="\n")

    def spool(self) -> _Section:
        """A temporary section, appended later with ``append``."""
        raw = self._stack.enter_context(tempfile.TemporaryFile(dir=self.path.parent))  # noqa: SIM115
        return _Section(raw, self._text(raw))

    def append(self, section: _Section) -> None:
        section.text.flush()
        section.raw.seek(0)
        self.out.flush()
        shutil.copyfileobj(section.raw, self._raw)

    def close(self) -> None:
        self.out.flush()
        self._raw.flush()
        os.replace(self._partial, self.path)


class SiecleGenerator:
    """Writes the SIECLE exports of the establishments of one synthetic academy."""

    def __init__(
        self,
        establishments: Sequence[EstablishmentSpec],
        students_per_establishment: int,
        *,
        seed: int = DEFAULT_SEED,
        year: int = DEFAULT_YEAR,
    ) -> None:
        if not 1 <= len(establishments) <= MAX_ESTABLISHMENTS:
            raise ValueError(f"Entre 1 et {MAX_ESTABLISHMENTS} établissements.")
        if not 1 <= students_per_establishment <= MAX_STUDENTS:
            raise ValueError(f"Entre 1 et {MAX_STUDENTS} élèves par établissement.")
        self.establishments = list(establishments)
        self.students = students_per_establishment
        self.seed = seed
        self.year = year
        self.export_date = date(year, 9, 15)
        self.rentree = date(year, 9, 1)

    # --- Public API ------------------------------------------------------------------------------

    def write_all(self, out: Path) -> Iterator[GeneratedEstablishment]:
        """Write every establishment into ``out/<UAI>/``, yielding each one when it is done."""
        for index, spec in enumerate(self.establishments):
            yield self.write(index, out / spec.uai)

    def write(self, index: int, directory: Path) -> GeneratedEstablishment:
        """Write the three SIECLE files of the establishment at ``index`` into ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        spec = self.establishments[index]
        self._write_nomenclature(index, directory / NOMENCLATURE_FILE)
        blocks = self._blocks(spec.type)
        persons = links = 0
        with ExitStack() as stack:
            eleves = _XmlFile(directory / ELEVES_FILE, stack)
            responsables = _XmlFile(directory / RESPONSABLES_FILE, stack)
            options, structures = eleves.spool(), eleves.spool()
            links_out, addresses = responsables.spool(), responsables.spool()
            eleves.out.write(self._head("BEE_ELEVES", ' VERSION="2.1"', spec, index, 0))
            eleves.out.write("  <DONNEES>\n    <ELEVES>\n")
            responsables.out.write(self._head("BEE_RESPONSABLES", "", spec, index, 18))
            responsables.out.write("  <DONNEES>\n    <PERSONNES>\n")
            options.write("    <OPTIONS>\n")
            structures.write("    <STRUCTURES>\n")
            links_out.write("    <RESPONSABLES>\n")
            addresses.write("    <ADRESSES>\n")
            for i in range(self.students):
                student = self._student(index, i, blocks)
                eleves.out.write(student.eleve)
                options.write(student.options)
                structures.write(student.structures)
                new_persons: list[_Person] = []
                if student.family.anchor == i:
                    new_persons += student.family.persons
                    addresses.writelines(self._address_xml(a) for a in student.family.addresses)
                if student.self_person is not None:
                    new_persons.append(student.self_person)
                responsables.out.writelines(self._person_xml(p) for p in new_persons)
                persons += len(new_persons)
                links_out.writelines(student.links)
                links += len(student.links)
            options.write("    </OPTIONS>\n")
            structures.write("    </STRUCTURES>\n  </DONNEES>\n</BEE_ELEVES>\n")
            eleves.out.write("    </ELEVES>\n")
            eleves.append(options)
            eleves.append(structures)
            links_out.write("    </RESPONSABLES>\n")
            addresses.write("    </ADRESSES>\n  </DONNEES>\n</BEE_RESPONSABLES>\n")
            responsables.out.write("    </PERSONNES>\n")
            responsables.append(links_out)
            responsables.append(addresses)
            eleves.close()
            responsables.close()
        return GeneratedEstablishment(spec.uai, directory, self.students, persons, links)

    # --- Files -----------------------------------------------------------------------------------

    def _head(
        self, root: str, attributes: str, spec: EstablishmentSpec, index: int, at: int
    ) -> str:
        seconds = 10 * 3600 + (index * 97) % 1800 + at
        stamp = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        return (
            f'<?xml version="1.0" encoding="{ENCODING}"?>\n'
            f"<!-- Données fictives écrites par teleservices generate (graine {self.seed}). -->\n"
            f"<{root}{attributes}>\n  <PARAMETRES>\n"
            f"    <UAJ>{spec.uai}</UAJ>\n"
            f"    <ANNEE_SCOLAIRE>{self.year}</ANNEE_SCOLAIRE>\n"
            f"    <DATE_EXPORT>{_date(self.export_date)}</DATE_EXPORT>\n"
            f"    <HORODATAGE>{_date(self.export_date)} {stamp}</HORODATAGE>\n"
            "  </PARAMETRES>\n"
        )

    def _write_nomenclature(self, index: int, path: Path) -> None:
        spec = self.establishments[index]
        with ExitStack() as stack:
            nomenclature = _XmlFile(path, stack)
            out = nomenclature.out
            out.write(self._head("BEE_NOMENCLATURES", ' VERSION="3.1"', spec, index, -40))
            out.write("  <DONNEES>\n    <MEFS>\n")
            for mef in MEFS_BY_TYPE[spec.type]:
                out.write(f'      <MEF CODE_MEF="{mef.code}">\n')
                out.write(
                    _fields(
                        "        ",
                        [
                            ("FORMATION", mef.formation),
                            ("LIBELLE_LONG", mef.label),
                            ("LIBELLE_EDITION", mef.edition),
                            ("STATUT_MEF", "1"),
                            ("MEF_RATTACHEMENT", mef.code),
                            ("CODE_MEFSTAT", mef.mefstat),
                            ("DATE_OUVERTURE", "01/09/2016"),
                            ("DATE_FERMETURE", "31/12/9999"),
                        ],
                    )
                )
                out.write("      </MEF>\n")
            out.write("    </MEFS>\n    <MATIERES>\n")
            for code, gestion, short, long, edition in SUBJECTS:
                out.write(f'      <MATIERE CODE_MATIERE="{code}">\n')
                out.write(
                    _fields(
                        "        ",
                        [
                            ("CODE_GESTION", gestion),
                            ("LIBELLE_COURT", short.ljust(20)),
                            ("LIBELLE_LONG", long),
                            ("LIBELLE_EDITION", edition),
                            ("MATIERE_ETP", "0"),
                        ],
                    )
                )
                out.write("      </MATIERE>\n")
            out.write("    </MATIERES>\n    <MODALITES_ELECTION>\n")
            for code, short, long in (
                ("S", "TRONC COMM", "MATIERE ENSEIGNEE EN TRONC COMMUN"),
                ("O", "OBLIGATOIRE", "OPTION OBLIGATOIRE"),
                ("F", "FACULTATIF", "OPTION FACULTATIVE"),
            ):
                out.write(f'      <MODALITE_ELECTION CODE_MODALITE_ELECT="{code}">\n')
                out.write(_fields("        ", [("LIBELLE_COURT", short), ("LIBELLE_LONG", long)]))
                out.write("      </MODALITE_ELECTION>\n")
            out.write("    </MODALITES_ELECTION>\n  </DONNEES>\n</BEE_NOMENCLATURES>\n")
            nomenclature.close()

    @staticmethod
    def _person_xml(person: _Person) -> str:
        return (
            f'      <PERSONNE PERSONNE_ID="{person.id}">\n'
            + _fields(
                "        ",
                [
                    ("NOM_DE_FAMILLE", person.family_name),
                    ("NOM_USAGE", person.usage_name),
                    ("PRENOM", person.first_name),
                    ("LC_CIVILITE", person.civility),
                    ("TEL_PERSONNEL", person.phone_home),
                    ("TEL_PORTABLE", person.phone_mobile),
                    ("TEL_PROFESSIONNEL", person.phone_work),
                    ("MEL", person.email),
                    ("ACCEPTE_SMS", "1" if person.accepts_sms else "0"),
                    ("ADRESSE_ID", str(person.address_id)),
                    ("CODE_PROFESSION", person.profession),
                    ("COMMUNICATION_ADRESSE", "1" if person.shares_address else "0"),
                ],
            )
            + "      </PERSONNE>\n"
        )

    @staticmethod
    def _address_xml(address: _Address) -> str:
        abroad = address.country != "FRANCE"
        return (
            f'      <ADRESSE ADRESSE_ID="{address.id}">\n'
            + _fields(
                "        ",
                [
                    ("LIGNE1_ADRESSE", address.line1),
                    ("LIGNE2_ADRESSE", address.line2),
                    ("LIGNE3_ADRESSE", ""),
                    ("LIGNE4_ADRESSE", ""),
                    ("CODE_POSTAL", address.postal_code),
                    ("LIBELLE_POSTAL", None if abroad else address.city),
                    ("CODE_DEPARTEMENT", None if abroad else address.departement),
                    ("LL_PAYS", address.country),
                    ("COMMUNE_ETRANGERE", address.foreign_city if abroad else None),
                ],
            )
            + "      </ADRESSE>\n"
        )

    @staticmethod
    def _link_xml(student_id: str, person: _Person, level: int, relationship: str) -> str:
        return (
            "      <RESPONSABLE_ELEVE>\n"
            + _fields(
                "        ",
                [
                    ("ELEVE_ID", student_id),
                    ("PERSONNE_ID", str(person.id)),
                    ("NIVEAU_RESPONSABILITE", str(level)),
                    ("CODE_PARENTE", relationship),
                    ("PAIE_FRAIS_SCOLAIRES", "1" if person.pays_fees and level == 1 else "0"),
                ],
            )
            + "      </RESPONSABLE_ELEVE>\n"
        )

    # --- People ----------------------------------------------------------------------------------

    def _blocks(self, kind: EstablishmentType) -> list[_Block]:
        """Split the students into MEF blocks by weight (largest remainder), then into divisions."""
        mefs = MEFS_BY_TYPE[kind]
        total = sum(m.weight for m in mefs)
        exact = [self.students * m.weight / total for m in mefs]
        sizes = [int(x) for x in exact]
        by_remainder = sorted(range(len(mefs)), key=lambda k: sizes[k] - exact[k])
        for k in by_remainder[: self.students - sum(sizes)]:
            sizes[k] += 1
        blocks, start = [], 0
        for mef, size in zip(mefs, sizes, strict=True):
            divisions = max(1, -(-size // CLASS_SIZE[kind]))
            blocks.append(_Block(mef, start, size, divisions))
            start += size
        return blocks

    def _person_base(self, index: int) -> int:
        return (index + 1) * 10_000_000 + 1

    def _family_key(self, index: int, i: int) -> tuple[str, int]:
        """The family of student ``i`` and its anchor (its first student in this establishment).

        One student in ten shares a family with the student of the same rank in the paired
        establishment (0 with 1, 2 with 3…); some students of the second half are siblings of a
        student of the first half.
        """
        partner = index ^ 1
        if i % 10 == 3 and partner < len(self.establishments):
            return f"pair:{min(index, partner)}:{i}", i
        half = self.students // 2
        if i >= half and (i - half) % 20 == 7:
            return f"own:{index}:{i - half}", i - half
        return f"own:{index}:{i}", i

    def _family_name(self, index: int, key: str) -> str:
        """The children's family name; every 50th family takes its neighbour's (homonyms)."""
        kind, _, anchor = key.rpartition(":")
        if kind.startswith("own:") and int(anchor) % 50 == 25:
            return self._family_name(index, self._family_key(index, int(anchor) - 1)[0])
        rng = random.Random(f"{self.seed}/nom/{key}")
        return _skewed(rng, COMMON_NAMES) if rng.random() < 0.75 else rng.choice(RARE_NAMES)

    def _family(self, index: int, key: str, anchor: int) -> _Family:
        rng = random.Random(f"{self.seed}/famille/{key}")
        name = self._family_name(index, key)
        base = self._person_base(index) + 4 * anchor

        def other_name() -> str:
            return _skewed(rng, COMMON_NAMES) if rng.random() < 0.7 else rng.choice(RARE_NAMES)

        def address(slot: int) -> _Address:
            commune, postal_code, _insee, departement = rng.choice(COMMUNES)
            line2 = rng.choice(("APPARTEMENT 12", "BATIMENT C", "RESIDENCE LES ERABLES"))
            if rng.random() < 0.01:
                return _Address(
                    id=base + slot,
                    line1=f"{rng.randrange(1, 60)} RUE DU DOUBS",
                    line2="",
                    postal_code="2300",
                    city="",
                    departement="",
                    country="SUISSE",
                    foreign_city="LA CHAUX-DE-FONDS",
                )
            return _Address(
                id=base + slot,
                line1=f"{rng.randrange(1, 120)} {rng.choice(STREETS)}",
                line2=line2 if rng.random() < 0.2 else "",
                postal_code=postal_code,
                city=_ascii_slug(commune).replace("-", " ").upper(),
                departement=departement,
                country="FRANCE",
                foreign_city="",
            )

        def person(
            slot: int,
            sex: int,
            family_name: str,
            usage_name: str,
            relationship: str,
            level: int,
            address_slot: int,
        ) -> _Person:
            first = _skewed(rng, MEN if sex == 1 else WOMEN)
            civility = "M." if sex == 1 else ("MLLE" if rng.random() < 0.03 else "MME")
            email = _email(rng, first, usage_name or family_name) if rng.random() < 0.88 else ""
            return _Person(
                id=base + slot,
                address_id=base + address_slot,
                civility=civility,
                family_name=family_name,
                usage_name=usage_name,
                first_name=first,
                email=email,
                phone_home=_phone(rng, LANDLINES) if rng.random() < 0.3 else "",
                phone_mobile=_phone(rng, MOBILES) if rng.random() < 0.9 else "",
                phone_work=_phone(rng, LANDLINES) if rng.random() < 0.15 else "",
                accepts_sms=rng.random() < 0.7,
                profession=rng.choice(PROFESSIONS),
                shares_address=rng.random() < 0.8,
                relationship=relationship,
                level=level,
                pays_fees=slot == 0,
            )

        draw = rng.random()
        addresses = [address(0)]
        if draw < 0.84:  # mother and father, both legal representatives even when apart
            married = rng.random() < 0.55
            mother = person(0, 2, other_name(), name if married else "", "10", 1, 0)
            apart = rng.random() < 0.25
            if apart:
                addresses.append(address(1))
            persons = [mother, person(1, 1, name, "", "20", 1, 1 if apart else 0)]
            if rng.random() < 0.1:
                persons.append(person(2, rng.choice((1, 2)), name, "", "38", 3, 0))
        elif draw < 0.94:  # one parent, sometimes a grandparent to contact
            if rng.random() < 0.75:
                mother_name = name if rng.random() < 0.5 else other_name()
                persons = [person(0, 2, mother_name, "", "10", 1, 0)]
            else:
                persons = [person(0, 1, name, "", "20", 1, 0)]
            if rng.random() < 0.3:
                persons.append(person(2, rng.choice((1, 2)), name, "", "38", 3, 0))
        elif draw < 0.98:  # a guardian, and another relative to contact
            persons = [person(0, rng.choice((1, 2)), other_name(), "", "50", 1, 0)]
            persons.append(person(2, 2, name, "", "39", 3, 0))
        else:  # child welfare (ASE) and the foster carer in charge
            persons = [person(0, rng.choice((1, 2)), other_name(), "", "51", 1, 0)]
            addresses.append(address(1))
            persons.append(person(1, 2, other_name(), "", "42", 2, 1))
        return _Family(anchor, name, tuple(persons), tuple(addresses))

    def _first_name(self, index: int, i: int, family: _Family) -> tuple[str, int]:
        """First name and sex; every 50th student copies the previous one (homonyms)."""
        if i % 50 == 25:
            previous = self._family_key(index, i - 1)
            return self._first_name(index, i - 1, self._family(index, *previous))
        rng = random.Random(f"{self.seed}/prenom/{index}/{i}")
        father = next((p for p in family.persons if p.relationship == "20"), None)
        if father is not None and i % 97 == 13:  # named after his father
            return father.first_name, 1
        sex = rng.choice((1, 2))
        return _skewed(rng, BOYS if sex == 1 else GIRLS), sex

    def _ine(self, rng: random.Random, index: int, i: int) -> str:
        """A unique INE of the INE-RNIE shape (9 digits + 2 letters), some of the INE-BEA shape."""
        # index * 1_000_003 + i is unique and below 10⁹; x ↦ 3¹⁸·x + c mod 10⁹ is a bijection.
        n = ((index * 1_000_003 + i) * 387_420_489 + 271_828_182) % 1_000_000_000
        letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
        if rng.random() < 0.1:
            return f"{n:09d}{rng.randrange(10)}{rng.choice(letters)}"
        return f"{n:09d}{rng.choice(letters)}{rng.choice(letters)}"

    def _student(self, index: int, i: int, blocks: list[_Block]) -> _Rendered:
        spec = self.establishments[index]
        key, anchor = self._family_key(index, i)
        family = self._family(index, key, anchor)
        first_name, sex = self._first_name(index, i, family)
        rng = random.Random(f"{self.seed}/eleve/{index}/{i}")
        block = next(b for b in reversed(blocks) if b.start <= i)
        mef = block.mef
        late = _weighted(
            rng,
            (("0", 84), ("1", 13), ("2", 3))
            if spec.type is EstablishmentType.COLLEGE
            else (("0", 74), ("1", 20), ("2", 6)),
        )
        birth = date(self.year - mef.age - int(late), 1, 1) + timedelta(days=rng.randrange(365))
        adult = birth <= self.export_date.replace(year=self.export_date.year - 18)
        student_id = str((index + 1) * 1_000_000 + i + 1)
        elenoet = str(1000 + i)
        usage_name = ""
        if rng.random() < 0.04:
            mother = next((p for p in family.persons if p.relationship == "10"), None)
            if mother is not None and mother.family_name != family.name:
                usage_name = f"{family.name} {mother.family_name}"
        middle: list[str] = []
        for _ in range(rng.choice((0, 1, 1, 2))):
            other = _skewed(rng, BOYS if sex == 1 else GIRLS)
            if other != first_name and other not in middle:
                middle.append(other)
        left = rng.random() < 0.01
        years_here = max(0, mef.age - next(m.age for m in MEFS_BY_TYPE[spec.type] if m.entry))
        entry = self.rentree.replace(year=self.year - years_here)
        if years_here and rng.random() < 0.04:  # arrived during a previous year
            entry += timedelta(days=rng.randrange(30, 250))
        email = ""
        if rng.random() < (0.1 if spec.type is EstablishmentType.COLLEGE else 0.5):
            email = _email(rng, first_name, usage_name or family.name)
        mobile = _phone(rng, MOBILES) if email and rng.random() < 0.8 else ""
        place: list[tuple[str, str | None]]
        if rng.random() < 0.9:
            _commune, _postal, insee, departement = rng.choice(COMMUNES)
            place = [
                ("CODE_PAYS", "100"),
                ("CODE_DEPARTEMENT_NAISS", departement),
                ("CODE_COMMUNE_INSEE_NAISS", insee),
                ("VILLE_NAISS", ""),
            ]
        else:
            country, city = rng.choice(ABROAD)
            place = [("CODE_PAYS", country), ("VILLE_NAISS", city)]
        fields: list[tuple[str, str | None]] = [
            ("ID_NATIONAL", self._ine(rng, index, i)),
            ("ELENOET", elenoet),
            ("ID_ELEVE_ETAB", elenoet),
            ("NOM_DE_FAMILLE", family.name),
            ("NOM_USAGE", usage_name),
            ("PRENOM", first_name),
            ("PRENOM2", middle[0] if middle else ""),
            ("PRENOM3", middle[1] if len(middle) > 1 else ""),
            ("DATE_NAISS", _date(birth)),
            *place,
            ("CODE_SEXE", str(sex)),
            ("CODE_PAYS_NAT", "100"),
            ("DOUBLEMENT", "1" if rng.random() < 0.03 else "0"),
            ("CODE_REGIME", _weighted(rng, REGIMES[spec.type])),
            ("CODE_MEF", mef.code),
            ("CODE_STATUT", "ST"),
            ("DATE_ENTREE", _date(entry)),
        ]
        if left:
            exit_date = self.rentree + timedelta(days=rng.randrange(1, 14))
            fields += [("DATE_SORTIE", _date(exit_date)), ("CODE_MOTIF_SORTIE", "19")]
        fields += [
            ("MEL", email),
            ("TEL_PORTABLE", mobile),
            ("ACCEPTE_SMS", ("1" if rng.random() < 0.5 else "0") if mobile else None),
        ]
        eleve = (
            f'      <ELEVE ELEVE_ID="{student_id}" ELENOET="{elenoet}">\n'
            + _fields("        ", fields)
            + (self._previous_school(rng, mef) if mef.entry else "")
            + "      </ELEVE>\n"
        )
        division_number = (i - block.start) * block.divisions // max(1, block.size) + 1
        if spec.type is EstablishmentType.COLLEGE and block.divisions <= 26:
            division = f"{mef.division}{chr(64 + division_number)}"
        else:
            division = f"{mef.division}{division_number}"
        structures = [("Inactifs" if left else division, "D")]
        options = [("O", LV1)]
        if mef.lv2:
            language = _weighted(rng, [(short, weight) for _, short, weight in LV2_SUBJECTS])
            options.append(("O", next(c for c, short, _ in LV2_SUBJECTS if short == language)))
            if not left:
                structures.append((f"{mef.division}{language}{1 + division_number // 3}", "G"))
        if spec.type is EstablishmentType.COLLEGE and mef.lv2 and rng.random() < 0.15:
            options.append(("F", LATIN))
            if not left:
                structures.append((f"{mef.division}LATIN", "G"))
        self_person = None
        links = []
        if adult and rng.random() < 0.5:
            self_person = _Person(
                id=self._person_base(index) + 4 * i + 3,
                address_id=family.addresses[0].id,
                civility="M." if sex == 1 else "MME",
                family_name=family.name,
                usage_name=usage_name,
                first_name=first_name,
                email=email,
                phone_home="",
                phone_mobile=mobile,
                phone_work="",
                accepts_sms=bool(mobile),
                profession="84",
                shares_address=True,
                relationship="70",
                level=1,
                pays_fees=True,
            )
            links.append(self._link_xml(student_id, self_person, 1, "70"))
            # The parents stay as people to contact.
            links += [
                self._link_xml(student_id, p, 3, p.relationship)
                for p in family.persons
                if p.level == 1
            ]
        else:
            links += [
                self._link_xml(student_id, p, p.level, p.relationship) for p in family.persons
            ]
        return _Rendered(
            eleve=eleve,
            options=self._options_xml(student_id, elenoet, options),
            structures=self._structures_xml(student_id, elenoet, structures),
            family=family,
            self_person=self_person,
            links=links,
        )

    @staticmethod
    def _options_xml(student_id: str, elenoet: str, options: list[tuple[str, str]]) -> str:
        lines = [f'      <OPTION ELEVE_ID="{student_id}" ELENOET="{elenoet}">\n']
        for number, (modality, subject) in enumerate(options, start=1):
            lines.append("        <OPTIONS_ELEVE>\n")
            lines.append(
                _fields(
                    "          ",
                    [
                        ("NUM_OPTION", str(number)),
                        ("CODE_MODALITE_ELECT", modality),
                        ("CODE_MATIERE", subject),
                    ],
                )
            )
            lines.append("        </OPTIONS_ELEVE>\n")
        lines.append("      </OPTION>\n")
        return "".join(lines)

    @staticmethod
    def _structures_xml(student_id: str, elenoet: str, structures: list[tuple[str, str]]) -> str:
        lines = [f'      <STRUCTURES_ELEVE ELEVE_ID="{student_id}" ELENOET="{elenoet}">\n']
        for code, kind in structures:
            lines.append("        <STRUCTURE>\n")
            lines.append(
                _fields("          ", [("CODE_STRUCTURE", code), ("TYPE_STRUCTURE", kind)])
            )
            lines.append("        </STRUCTURE>\n")
        lines.append("      </STRUCTURES_ELEVE>\n")
        return "".join(lines)

    @staticmethod
    def _previous_school(rng: random.Random, mef: _Mef) -> str:
        commune, _postal, insee, departement = rng.choice(COMMUNES)
        if mef.age <= 11:
            structure, sigle, denomination = "CM2", "EEPU", "ECOLE ELEMENTAIRE PUBLIQUE"
        else:
            structure, sigle, denomination = "3A", "CLG", "COLLEGE"
        previous_uai = make_uai(departement, rng.randrange(1000, 9000))
        return (
            "        <SCOLARITE_AN_DERNIER>\n"
            + _fields(
                "          ",
                [
                    ("CODE_MEF", ""),
                    ("CODE_STRUCTURE", structure),
                    ("CODE_RNE", previous_uai),
                    ("SIGLE", sigle),
                    ("DENOM_PRINC", denomination),
                    ("DENOM_COMPL", rng.choice(PATRONS).upper()),
                    ("CODE_COMMUNE_INSEE", insee),
                    ("LL_COMMUNE_INSEE", _ascii_slug(commune).replace("-", " ").upper()),
                ],
            )
            + "        </SCOLARITE_AN_DERNIER>\n"
        )


# --- Database side (the ``--import`` of the command, and the benchmark) ------------------------------


def ensure_establishments(
    academy_code: str, specs: Sequence[EstablishmentSpec]
) -> tuple[Academy, list[Establishment]]:
    """Create the academy and the establishments that are missing; return them in ``specs`` order.

    Raises ``ValueError`` when one of the UAIs belongs to another academy.
    """
    with all_academies():
        academy = db.session.execute(
            select(Academy).filter_by(code=academy_code)
        ).scalar_one_or_none()
        if academy is None:
            academy = Academy(code=academy_code, name=academy_name(academy_code))
            db.session.add(academy)
            db.session.flush()
        rows = []
        for spec in specs:
            row = db.session.execute(
                select(Establishment).filter_by(uai=spec.uai)
            ).scalar_one_or_none()
            if row is None:
                row = Establishment(
                    academy_id=academy.id,
                    uai=spec.uai,
                    type=spec.type,
                    name=spec.name,
                    address=spec.address,
                    postal_code=spec.postal_code,
                    city=spec.city,
                    siecle_modules=list(DEFAULT_MODULES),
                )
                db.session.add(row)
            elif row.academy_id != academy.id:
                db.session.rollback()
                raise ValueError(
                    f"L'établissement {spec.uai} appartient déjà à une autre académie "
                    "(choisissez un autre --departement)."
                )
            rows.append(row)
        db.session.commit()
        return academy, rows


def _show_uai(item: GeneratedEstablishment | None) -> str | None:
    return item.uai if item is not None else None


@click.command("generate")
@click.option("--academy", "academy_code", required=True, help="Code de l'académie (ex. ac-demo).")
@click.option(
    "--establishments",
    "count",
    required=True,
    type=click.IntRange(1, MAX_ESTABLISHMENTS),
    help="Nombre d'établissements.",
)
@click.option(
    "--students-per-establishment",
    "students",
    required=True,
    type=click.IntRange(1, MAX_STUDENTS),
    help="Nombre d'élèves de chaque établissement.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Dossier de sortie (défaut : instance/siecle/<académie>).",
)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Graine.")
@click.option(
    "--year",
    type=click.IntRange(2000, 2099),
    default=DEFAULT_YEAR,
    show_default=True,
    help="Année de la rentrée (ANNEE_SCOLAIRE).",
)
@click.option("--departement", help="Trois chiffres des UAI générés (défaut : tirés du code).")
@click.option(
    "--import",
    "do_import",
    is_flag=True,
    help="Créer l'académie et les établissements manquants, puis importer chaque établissement.",
)
@with_appcontext
def generate_command(
    academy_code: str,
    count: int,
    students: int,
    out: Path | None,
    seed: int,
    year: int,
    departement: str | None,
    do_import: bool,
) -> None:
    """Write a synthetic academy as SIECLE exports (and import it with --import)."""
    if not ACADEMY_CODE.match(academy_code):
        raise click.BadParameter("minuscules, chiffres et tirets attendus", param_hint="--academy")
    try:
        specs = plan_academy(academy_code, count, departement)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--departement") from exc
    out = out or Path(current_app.instance_path) / "siecle" / academy_code
    generator = SiecleGenerator(specs, students, seed=seed, year=year)
    written: list[GeneratedEstablishment] = []
    with click.progressbar(
        generator.write_all(out),
        length=count,
        label="Écriture des exports SIECLE",
        item_show_func=_show_uai,
    ) as bar:
        written.extend(bar)
    declaration = out / "tenants" / f"{academy_code}.toml"
    declaration.parent.mkdir(parents=True, exist_ok=True)
    declaration.write_text(tenant_declaration(academy_code, specs), encoding="utf-8")
    click.echo(
        f"{count} établissement(s), {count * students} élèves, "
        f"{sum(w.persons for w in written)} responsables et contacts écrits dans {out}."
    )
    click.echo(f"Déclaration de l'académie : {declaration}")
    if do_import:
        _import(academy_code, specs, written)


def _import(
    academy_code: str, specs: Sequence[EstablishmentSpec], written: Sequence[GeneratedEstablishment]
) -> None:
    """Create what is missing, then import each establishment's exports through the importer."""
    from teleservices.school.siecle import import_siecle

    try:
        academy, establishments = ensure_establishments(academy_code, specs)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    academy_id = academy.id
    students = representatives = accounts = 0
    with click.progressbar(
        list(zip(establishments, written, strict=True)), label="Import SIECLE"
    ) as bar:
        for establishment, files in bar:
            with tenant(academy_id):
                report = import_siecle(establishment, files.paths)
            if not report.applied:
                reasons = "\n".join(str(issue) for issue in report.rejected)
                raise click.ClickException(f"Import de {files.uai} refusé :\n{reasons}")
            students += report.students.created + report.students.updated
            representatives += report.representatives.created + report.representatives.updated
            accounts += report.student_accounts + report.representative_accounts
    click.echo(
        f"{len(written)} établissement(s) importé(s) dans l'académie {academy_code} — "
        f"élèves créés ou mis à jour : {students}, responsables créés ou mis à jour : "
        f"{representatives}, comptes créés : {accounts}."
    )
