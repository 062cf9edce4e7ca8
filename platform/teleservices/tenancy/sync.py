"""Synchronise ``tenants/*.toml`` (the declarative source of academies) into the database.

All files are validated first; any error (reported with its file and key) means nothing changes.
Sync is idempotent: a second run with the same files reports no change. Establishments missing from
a file are kept (they hold data) and reported.

Files and screens share the data by key (docs/architecture.md, "Tenants: file and screens"): a key
a file declares (for the academy, or for one of its establishments) is set by every sync and is
read-only on the administration screens (``declared_keys`` tells them which); a key the file does
not declare is never touched by sync, so what the screens set there stays. A UAI or a host name
that already belongs to another academy is an error, not a move.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from teleservices.extensions import db
from teleservices.tenancy.context import all_academies
from teleservices.tenancy.models import Academy, Establishment, EstablishmentType, SiecleModule
from teleservices.tenancy.uai import normalise_uai

log = logging.getLogger(__name__)

ACADEMY_KEYS: dict[str, type] = {
    "code": str,
    "name": str,
    "host_names": list,
    "mail_sender": str,
    "mandatory_teleservices": list,
    "branding": dict,
    "ent_links": list,
    "establishments": list,
    "demo": dict,
}
# The academy's keys that a file may own (the others are the file's structure or demo data).
ACADEMY_FIELDS = (
    "name",
    "host_names",
    "mail_sender",
    "mandatory_teleservices",
    "branding",
    "ent_links",
)
ESTABLISHMENT_KEYS: dict[str, type] = {
    "uai": str,
    "type": str,
    "name": str,
    "address": str,
    "postal_code": str,
    "city": str,
    "phone": str,
    "emails": list,
    "head_name": str,
    "siecle_modules": list,
}


class TenantFileError(ValueError):
    """One or more tenant files are invalid; ``errors`` lists "file: key: reason" lines."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class SyncReport:
    """What a sync did, per academy code."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    establishments_created: int = 0
    establishments_updated: int = 0
    undeclared_establishments: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _check_types(data: dict[str, Any], schema: dict[str, type], where: str) -> list[str]:
    errors = []
    for key, value in data.items():
        if key not in schema:
            errors.append(f"{where}{key}: clé inconnue")
        elif not isinstance(value, schema[key]):
            errors.append(f"{where}{key}: type {schema[key].__name__} attendu")
    return errors


def validate(path: Path, data: dict[str, Any], known_codes: set[str] | None) -> list[str]:
    """Return the errors of one tenant file, each prefixed by the file name and key."""
    name = path.name
    errors = [f"{name}: {e}" for e in _check_types(data, ACADEMY_KEYS, "")]
    for key in ("code", "name"):
        if not data.get(key):
            errors.append(f"{name}: {key}: valeur obligatoire manquante")
    if data.get("code") and path.stem != data["code"]:
        errors.append(f"{name}: code: « {data['code']} » ne correspond pas au nom du fichier")
    for code in data.get("mandatory_teleservices", []):
        if known_codes is not None and code not in known_codes:
            errors.append(f"{name}: mandatory_teleservices: téléservice inconnu « {code} »")
    for i, link in enumerate(data.get("ent_links", [])):
        url = link.get("url", "") if isinstance(link, dict) else ""
        if not url.startswith(("http://", "https://")) or not link.get("label"):
            errors.append(f"{name}: ent_links[{i}]: label et url http(s) attendus")
    seen: set[str] = set()
    modules = {m.value for m in SiecleModule}
    for i, etab in enumerate(data.get("establishments", [])):
        where = f"{name}: establishments[{i}]."
        if not isinstance(etab, dict):
            errors.append(f"{where[:-1]}: table attendue")
            continue
        errors += _check_types(etab, ESTABLISHMENT_KEYS, where)
        try:
            uai = normalise_uai(str(etab.get("uai", "")))
            if uai in seen:
                errors.append(f"{where}uai: UAI {uai} déclaré deux fois")
            seen.add(uai)
        except ValueError as exc:
            errors.append(f"{where}uai: {exc}")
        if etab.get("type") not in {t.value for t in EstablishmentType}:
            errors.append(f"{where}type: « {etab.get('type')} » n'est pas college/lycee/lp/erea")
        if not etab.get("name"):
            errors.append(f"{where}name: valeur obligatoire manquante")
        for module in etab.get("siecle_modules", []):
            if module not in modules:
                errors.append(f"{where}siecle_modules: module inconnu « {module} »")
    return errors


def load_files(directory: Path, known_codes: set[str] | None = None) -> list[dict[str, Any]]:
    """Read and validate every ``*.toml`` of the directory; raise ``TenantFileError`` on errors."""
    errors: list[str] = []
    documents = []
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise TenantFileError([f"{directory}: aucun fichier d'académie (*.toml)"])
    for path in files:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            errors.append(f"{path.name}: TOML invalide : {exc}")
            continue
        errors += validate(path, data, known_codes)
        documents.append(data)
    if errors:
        raise TenantFileError(errors)
    return documents


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def sync(directory: Path, known_codes: set[str] | None = None) -> SyncReport:
    """Create or update the academies and establishments declared in ``directory``."""
    documents = load_files(directory, known_codes)
    report = SyncReport()
    errors: list[str] = []
    with all_academies():
        for data in documents:
            errors += _sync_academy(data, report)
        errors += _host_name_conflicts()
        if errors:
            db.session.rollback()
            raise TenantFileError(errors)
        db.session.commit()
    return report


def _academy_values(data: dict[str, Any]) -> dict[str, Any]:
    """The academy's columns the file declares (and only those)."""
    values = {key: data[key] for key in ACADEMY_FIELDS if key in data}
    if "host_names" in values:
        values["host_names"] = [h.lower() for h in values["host_names"]]
    return values


def _sync_academy(data: dict[str, Any], report: SyncReport) -> list[str]:
    """Apply one file; return the errors that must cancel the whole sync."""
    code = data["code"]
    errors: list[str] = []
    academy = db.session.execute(select(Academy).filter_by(code=code)).scalar_one_or_none()
    values = _academy_values(data)
    created = academy is None
    if academy is None:
        academy = Academy(code=code)
        db.session.add(academy)
    changed = _assign(academy, values)
    db.session.flush()
    declared = set()
    for i, etab in enumerate(data.get("establishments", [])):
        uai = normalise_uai(etab["uai"])
        declared.add(uai)
        row = db.session.execute(select(Establishment).filter_by(uai=uai)).scalar_one_or_none()
        if row is not None and row.academy_id != academy.id:
            errors.append(
                f"{code}.toml: establishments[{i}].uai: l'établissement {uai} appartient déjà "
                "à une autre académie"
            )
            continue
        fields = {
            "type": EstablishmentType(etab["type"]),
            "name": etab["name"],
            **{
                k: etab[k]
                for k in ESTABLISHMENT_KEYS
                if k in etab and k not in ("uai", "type", "name")
            },
        }
        if row is None:
            db.session.add(Establishment(uai=uai, academy_id=academy.id, **fields))
            report.establishments_created += 1
            changed = True
        elif _assign(row, fields):
            report.establishments_updated += 1
            changed = True
    existing = db.session.execute(
        select(Establishment.uai).filter_by(academy_id=academy.id)
    ).scalars()
    report.undeclared_establishments += sorted(set(existing) - declared)
    if created:
        report.created.append(code)
    elif changed:
        report.updated.append(code)
    else:
        report.unchanged.append(code)
    return errors


def _host_name_conflicts() -> list[str]:
    """A host name may serve one academy only (files and screens together)."""
    owners: dict[str, str] = {}
    errors = []
    rows = db.session.execute(select(Academy.code, Academy.host_names).order_by(Academy.code))
    for code, hosts in rows:
        for host in hosts or []:
            other = owners.setdefault(host.lower(), code)
            if other != code:
                errors.append(f"{code}.toml: host_names: « {host} » sert déjà l'académie {other}")
    return errors


@dataclass(frozen=True)
class DeclaredKeys:
    """The keys an academy's file declares: sync sets them, screens show them read-only."""

    academy: frozenset[str] = frozenset()
    establishments: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def of_establishment(self, uai: str) -> frozenset[str]:
        return self.establishments.get(uai.upper(), frozenset())


def declared_keys(directory: Path, code: str) -> DeclaredKeys:
    """Read ``<directory>/<code>.toml`` and tell which keys it declares (none without a file).

    An unreadable file declares nothing here; sync refuses it anyway until it is fixed.
    """
    path = directory / f"{code}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return DeclaredKeys()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        log.warning("tenant file %s unreadable: %s", path, exc)
        return DeclaredKeys()
    establishments: dict[str, frozenset[str]] = {}
    for etab in data.get("establishments", []):
        if not isinstance(etab, dict):
            continue
        try:
            uai = normalise_uai(str(etab.get("uai", "")))
        except ValueError:
            continue
        establishments[uai] = frozenset(k for k in ESTABLISHMENT_KEYS if k in etab)
    return DeclaredKeys(frozenset(k for k in ACADEMY_FIELDS if k in data), establishments)
