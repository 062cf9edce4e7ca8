"""Check and convert raw SIECLE records into ``SiecleData``, recording every problem.

Each record is checked and converted as soon as the parser hands it over, then stored in the
import's staging database (``SiecleData.staging``): nothing per student stays in memory.

Errors reject the whole import (reported with file, line and reason): a wrong or missing UAJ, an
invalid date, a missing key (``ELEVE_ID``, ``PERSONNE_ID``, ``CODE_MEF``…), a duplicate key, a
student without name, a link without responsibility level, a link to an unknown person or
student, a value too long to store, two files of the same kind. Warnings do not: an INE of unknown
shape, an unknown sex code or yes/no value, a missing birth date, an unknown address, a
structure for an unknown student, a duplicate link (the last one wins).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import String, select

from teleservices.extensions import Base
from teleservices.school import bulk
from teleservices.school.models import (
    Mef,
    Representative,
    Student,
    StudentRepresentative,
    Subject,
)
from teleservices.school.siecle import parsing
from teleservices.school.siecle.parsing import FileRejected, RawRecord
from teleservices.school.siecle.records import SiecleData
from teleservices.school.siecle.report import ImportReport

_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
INE_SHAPES = (
    re.compile(r"^\d{9}[A-Z]{2}$"),  # INE-RNIE
    re.compile(r"^\d{10}[A-Z]$"),  # INE-BEA
    re.compile(r"^[0-9A-Z]{10}\d$"),  # base 36
    re.compile(r"^\d{4}[AD]\d{5}[A-Z]$"),  # apprentice, provisional
)
_TRUE = frozenset({"1", "O", "OUI", "TRUE"})
_FALSE = frozenset({"", "0", "N", "NON", "FALSE"})
NO_DIVISION = "INACTIFS"


def is_known_ine_shape(ine: str) -> bool:
    """Whether the INE has one of the published shapes (no check algorithm is public)."""
    return any(shape.match(ine) for shape in INE_SHAPES)


def _too_long(model: type[Base], values: dict[str, Any]) -> list[str]:
    """Names of the string values longer than their column allows."""
    columns = model.__table__.columns
    names = []
    for name, value in values.items():
        column_type = columns[name].type
        if (
            isinstance(value, str)
            and isinstance(column_type, String)
            and column_type.length is not None
            and len(value) > column_type.length
        ):
            names.append(name)
    return names


class FileReader:
    """Receives the records of one file (``add``) and checks the file as a whole (``finish``)."""

    def __init__(self, name: str, uai: str, data: SiecleData, report: ImportReport) -> None:
        self.name = name
        self.uai = uai
        self.data = data
        self.report = report
        self._root = ""
        self._uaj_checked = False
        self._staging = data.staging
        self._handlers = {
            parsing.PARAMETRES: self._parametres,
            parsing.ELEVE: self._eleve,
            parsing.STRUCTURES_ELEVE: self._structures_eleve,
            parsing.PERSONNE: self._personne,
            parsing.ADRESSE: self._adresse,
            parsing.RESPONSABLE_ELEVE: self._responsable_eleve,
            parsing.MEF: self._mef,
            parsing.MATIERE: self._matiere,
            parsing.DIVISION: self._division,
            parsing.GROUPE: self._groupe,
        }

    # -- helpers -------------------------------------------------------------------------
    def _error(self, line: int | None, reason: str) -> None:
        self.report.error(self.name, line, reason)

    def _warn(self, line: int | None, reason: str) -> None:
        self.report.warn(self.name, line, reason)

    def _date(self, raw: RawRecord, tag: str) -> date | None:
        value = raw.fields.get(tag, "")
        if not value:
            return None
        match = _DATE.match(value)
        try:
            if match is None:
                raise ValueError
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        except ValueError:
            self._error(raw.line, f"date invalide « {value} » dans {tag} (JJ/MM/AAAA attendu)")
            return None

    def _flag(self, raw: RawRecord, tag: str) -> bool:
        value = raw.fields.get(tag, "").upper()
        if value in _TRUE:
            return True
        if value not in _FALSE:
            self._warn(raw.line, f"valeur « {value} » inattendue dans {tag} : lue comme non")
        return False

    def _check_lengths(self, raw: RawRecord, model: type[Base], values: dict[str, Any]) -> None:
        for name in _too_long(model, values):
            self._error(raw.line, f"valeur trop longue pour « {name} » : « {values[name]} »")

    @staticmethod
    def _key(raw: RawRecord, tag: str) -> str:
        return raw.attributes.get(tag) or raw.fields.get(tag, "")

    # -- dispatch ------------------------------------------------------------------------
    def add(self, root: str, raw: RawRecord) -> None:
        """Check one record and add it to the data (the parser's sink)."""
        if not self._root:
            self._claim(root, raw.line)
        self._handlers[raw.spec](raw)

    def _claim(self, root: str, line: int | None) -> None:
        self._root = root
        other = self.data.files.get(root)
        if other is not None:
            raise FileRejected(line, f"un seul fichier {root} par import (déjà fourni : {other})")
        self.data.files[root] = self.name
        if root == parsing.COMMUN:
            self._warn(None, f"fichier {root} ignoré : il ne contient rien pour les téléservices")

    def finish(self, root: str) -> None:
        """Checks that need the whole file: UAJ present, references inside the file."""
        if not self._root:
            self._claim(root, None)
        if not self._uaj_checked:
            self._error(None, "UAJ absent (PARAMETRES/UAJ) : établissement du fichier inconnu")
        if root == parsing.ELEVES:
            for line, eleve_id in self._staging.structures_of_unknown_students():
                self._warn(line, f"structures d'un élève inconnu (ELEVE_ID {eleve_id}) ignorées")
        if root == parsing.RESPONSABLES:
            self._finish_responsables()

    def _finish_responsables(self) -> None:
        for line, personne_id, address_id in self._staging.persons_without_address():
            self._warn(line, f"adresse {address_id} introuvable pour PERSONNE_ID {personne_id}")
        for line, personne_id in self._staging.links_to_unknown_persons():
            self._error(line, f"PERSONNE_ID {personne_id} inconnu dans PERSONNES")

    # -- records -------------------------------------------------------------------------
    def _parametres(self, raw: RawRecord) -> None:
        uaj = raw.fields.get("UAJ", "").upper()
        if not uaj:
            raise FileRejected(raw.line, "UAJ absent (PARAMETRES/UAJ)")
        if uaj != self.uai:
            raise FileRejected(
                raw.line, f"UAJ « {uaj} » du fichier différent de l'établissement {self.uai}"
            )
        self._uaj_checked = True
        self._date(raw, "DATE_EXPORT")

    def _eleve(self, raw: RawRecord) -> None:
        eleve_id = self._key(raw, "ELEVE_ID")
        if not eleve_id:
            self._error(raw.line, "ELEVE sans ELEVE_ID")
            return
        previous = self._staging.student_line(eleve_id)
        if previous is not None:
            self._error(raw.line, f"ELEVE_ID {eleve_id} en double (déjà ligne {previous})")
            return
        f = raw.fields
        last_name = f.get("NOM_DE_FAMILLE") or f.get("NOM", "")
        first_name = f.get("PRENOM", "")
        if not last_name or not first_name:
            self._error(raw.line, f"nom ou prénom manquant (ELEVE_ID {eleve_id})")
        ine = (f.get("ID_NATIONAL") or f.get("INE_RNIE") or f.get("INE_BEA", "")).upper()
        if ine and not is_known_ine_shape(ine):
            self._warn(raw.line, f"INE « {ine} » de forme inconnue (ELEVE_ID {eleve_id})")
        sex = f.get("CODE_SEXE", "")
        if sex not in ("", "1", "2"):
            self._warn(raw.line, f"CODE_SEXE « {sex} » inconnu (ELEVE_ID {eleve_id})")
            sex = ""
        birth_date = self._date(raw, "DATE_NAISS")
        if birth_date is None and not f.get("DATE_NAISS"):
            self._warn(raw.line, f"date de naissance absente (ELEVE_ID {eleve_id})")
        values = {
            "eleve_id": eleve_id,
            "elenoet": raw.attributes.get("ELENOET") or f.get("ELENOET", ""),
            "ine": ine,
            "last_name": last_name,
            "usage_name": f.get("NOM_USAGE", ""),
            "first_name": first_name,
            "first_name_2": f.get("PRENOM2", ""),
            "first_name_3": f.get("PRENOM3", ""),
            "birth_date": birth_date,
            "birth_country_code": f.get("CODE_PAYS", ""),
            "birth_department_code": f.get("CODE_DEPARTEMENT_NAISS", ""),
            "birth_commune_code": f.get("CODE_COMMUNE_INSEE_NAISS", ""),
            "birth_city": f.get("VILLE_NAISS", ""),
            "sex": sex,
            "regime_code": f.get("CODE_REGIME", ""),
            "email": f.get("MEL", ""),
            "phone_home": f.get("TEL_PERSONNEL", ""),
            "phone_mobile": f.get("TEL_PORTABLE", ""),
            "phone_work": f.get("TEL_PROFESSIONNEL", ""),
            "accepts_sms": self._flag(raw, "ACCEPTE_SMS"),
            "entry_date": self._date(raw, "DATE_ENTREE"),
            "exit_date": self._date(raw, "DATE_SORTIE"),
        }
        self._check_lengths(raw, Student, values)
        self._staging.add_student(raw.line, f.get("CODE_MEF", ""), values)

    def _structures_eleve(self, raw: RawRecord) -> None:
        eleve_id = self._key(raw, "ELEVE_ID")
        division = ""
        groups: list[str] = []
        for block in raw.blocks:
            code = block.get("CODE_STRUCTURE", "")
            kind = block.get("TYPE_STRUCTURE", "").upper()
            if not code:
                continue
            if kind == "G":
                groups.append(code)
            elif kind == "D" and code.upper() != NO_DIVISION:
                if division and division != code:
                    self._warn(
                        raw.line,
                        f"plusieurs divisions pour ELEVE_ID {eleve_id} : {division} retenue",
                    )
                    continue
                division = code
        self._staging.set_structures(raw.line, eleve_id, division, groups)

    def _personne(self, raw: RawRecord) -> None:
        personne_id = self._key(raw, "PERSONNE_ID")
        if not personne_id:
            self._error(raw.line, "PERSONNE sans PERSONNE_ID")
            return
        previous = self._staging.person_line(personne_id)
        if previous is not None:
            self._error(raw.line, f"PERSONNE_ID {personne_id} en double (déjà ligne {previous})")
            return
        f = raw.fields
        last_name = f.get("NOM_DE_FAMILLE") or f.get("NOM", "")
        if not last_name:
            self._error(raw.line, f"nom manquant (PERSONNE_ID {personne_id})")
        values = {
            "personne_id": personne_id,
            "civility": f.get("LC_CIVILITE", ""),
            "last_name": last_name,
            "usage_name": f.get("NOM_USAGE", ""),
            "first_name": f.get("PRENOM", ""),
            "profession_code": f.get("CODE_PROFESSION", ""),
            "phone_home": f.get("TEL_PERSONNEL", ""),
            "phone_mobile": f.get("TEL_PORTABLE", ""),
            "phone_work": f.get("TEL_PROFESSIONNEL", ""),
            "email": f.get("MEL", ""),
            "accepts_sms": self._flag(raw, "ACCEPTE_SMS"),
            "shares_address": self._flag(raw, "COMMUNICATION_ADRESSE"),
        }
        self._check_lengths(raw, Representative, values)
        self._staging.add_person(raw.line, f.get("ADRESSE_ID", ""), values)

    def _adresse(self, raw: RawRecord) -> None:
        address_id = self._key(raw, "ADRESSE_ID")
        if not address_id:
            self._warn(raw.line, "ADRESSE sans ADRESSE_ID ignorée")
            return
        f = raw.fields
        values = {
            "address_line_1": f.get("LIGNE1_ADRESSE", ""),
            "address_line_2": f.get("LIGNE2_ADRESSE", ""),
            "address_line_3": f.get("LIGNE3_ADRESSE", ""),
            "address_line_4": f.get("LIGNE4_ADRESSE", ""),
            "postal_code": f.get("CODE_POSTAL", ""),
            "city": f.get("LIBELLE_POSTAL") or f.get("COMMUNE_ETRANGERE", ""),
            "country": f.get("LL_PAYS", ""),
        }
        self._check_lengths(raw, Representative, values)
        self._staging.add_address(address_id, values)

    def _level(self, raw: RawRecord) -> tuple[int, int | None] | None:
        """(level, legal rank) from ``NIVEAU_RESPONSABILITE`` or, in old files, ``RESP_LEGAL``."""
        level = raw.fields.get("NIVEAU_RESPONSABILITE", "")
        legal = raw.fields.get("RESP_LEGAL", "")
        if level in ("1", "2", "3"):
            return int(level), int(legal) if legal in ("1", "2") else None
        if not level and legal in ("0", "1", "2"):
            return (1, int(legal)) if legal != "0" else (3, None)
        self._error(
            raw.line,
            f"niveau de responsabilité invalide (NIVEAU_RESPONSABILITE « {level} », "
            f"RESP_LEGAL « {legal} »)",
        )
        return None

    def _responsable_eleve(self, raw: RawRecord) -> None:
        eleve_id = self._key(raw, "ELEVE_ID")
        personne_id = self._key(raw, "PERSONNE_ID")
        if not eleve_id or not personne_id:
            self._error(raw.line, "RESPONSABLE_ELEVE sans ELEVE_ID ou sans PERSONNE_ID")
            return
        level = self._level(raw)
        if level is None:
            return
        if self._staging.has_link(eleve_id, personne_id):
            self._warn(
                raw.line,
                f"lien ELEVE_ID {eleve_id} / PERSONNE_ID {personne_id} en double : "
                "le dernier est retenu",
            )
        values = {
            "level": level[0],
            "legal_rank": level[1],
            "relationship_code": raw.fields.get("CODE_PARENTE", ""),
            "pays_school_fees": self._flag(raw, "PAIE_FRAIS_SCOLAIRES"),
            "financially_responsible": self._flag(raw, "RESP_FINANCIER"),
            "payer": self._flag(raw, "PERS_PAIMENT"),
            "contact": self._flag(raw, "PERS_CONTACT"),
        }
        self._check_lengths(raw, StudentRepresentative, values)
        self._staging.add_link(raw.line, eleve_id, personne_id, values)

    def _mef(self, raw: RawRecord) -> None:
        code = self._key(raw, "CODE_MEF")
        if not code:
            self._error(raw.line, "MEF sans CODE_MEF")
            return
        self._date(raw, "DATE_OUVERTURE")
        self._date(raw, "DATE_FERMETURE")
        f = raw.fields
        values = {
            "code": code,
            "label": f.get("FORMATION", ""),
            "long_label": f.get("LIBELLE_LONG", ""),
            "edition_label": f.get("LIBELLE_EDITION", ""),
            "mefstat": f.get("CODE_MEFSTAT", ""),
        }
        self._check_lengths(raw, Mef, values)
        self.data.mefs[code] = values

    def _matiere(self, raw: RawRecord) -> None:
        code = self._key(raw, "CODE_MATIERE")
        if not code:
            self._error(raw.line, "MATIERE sans CODE_MATIERE")
            return
        f = raw.fields
        values = {
            "code": code,
            "management_code": f.get("CODE_GESTION", ""),
            "short_label": f.get("LIBELLE_COURT", ""),
            "long_label": f.get("LIBELLE_LONG", ""),
            "edition_label": f.get("LIBELLE_EDITION", ""),
        }
        self._check_lengths(raw, Subject, values)
        self.data.subjects[code] = values

    def _structure(self, raw: RawRecord, target: dict[str, str]) -> None:
        code = self._key(raw, "CODE_STRUCTURE")
        if not code:
            self._error(raw.line, f"{raw.spec.path[-1]} sans CODE_STRUCTURE")
            return
        target[code] = raw.fields.get("LIBELLE_LONG") or raw.fields.get("LIBELLE_COURT", "")

    def _division(self, raw: RawRecord) -> None:
        self._structure(raw, self.data.divisions)

    def _groupe(self, raw: RawRecord) -> None:
        self._structure(raw, self.data.groups)


def check_references(data: SiecleData, report: ImportReport, establishment_id: int) -> None:
    """Cross-file checks: every link names a student of the élèves file or, without one, a
    student the establishment already has."""
    responsables = data.file_of(parsing.RESPONSABLES)
    if responsables is None:
        return
    if data.file_of(parsing.ELEVES):
        unknown = list(data.staging.links_to_unknown_students())
    else:
        unknown = []
        for page in data.staging.link_students():
            known = {
                eleve_id
                for (eleve_id,) in bulk.rows_where_in(
                    select(Student.eleve_id).where(Student.establishment_id == establishment_id),
                    Student.eleve_id,
                    {eleve_id for _, _, eleve_id in page},
                )
            }
            unknown += [(line, eleve_id) for _, line, eleve_id in page if eleve_id not in known]
    for line, eleve_id in unknown:
        report.error(
            responsables,
            line,
            f"ELEVE_ID {eleve_id} inconnu : aucun élève de l'établissement ne le porte",
        )
