"""The data-import API: ``POST /<academy>/api/etablissements/<uai>/import/<code>``.

The body is a JSON array of objects (``Content-Type: application/json``) or the importer's CSV file
(``text/csv``); the establishment's token comes in ``Authorization: Bearer …``. Answers are JSON:
200 with the counts, 422 with every error (nothing changed), 401 for a missing or wrong token (the
same answer for an unknown establishment), 404 for an unknown importer, 413 for a body without a
length or over ``IMPORT_API_MAX_BYTES`` (20 MB by default). Rate-limited per address.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, g, jsonify, request
from sqlalchemy import select
from werkzeug.wrappers import Response

from teleservices.admin.audit import Actor
from teleservices.extensions import csrf, db, limiter
from teleservices.imports import tokens
from teleservices.imports.reading import ImportRejected, read_csv, read_json
from teleservices.imports.service import run_import
from teleservices.mounting import registry
from teleservices.tenancy.models import Establishment
from teleservices.tenancy.uai import normalise_uai

bp = Blueprint("api", __name__, url_prefix="/<academy>/api")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
API_ACTOR = Actor("api", None, "API d'import (jeton de l'établissement)")


def _answer(status: int, **body: Any) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


def _establishment(uai: str) -> Establishment | None:
    try:
        uai = normalise_uai(uai)
    except ValueError:
        return None
    return db.session.scalar(select(Establishment).where(Establishment.uai == uai))


def _bearer() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@bp.post("/etablissements/<uai>/import/<code>")
@csrf.exempt
@limiter.limit("30 per minute")
def import_data(uai: str, code: str) -> Response:
    """Import one plugin's data into one establishment, all or nothing."""
    importer = registry().importers.get(code)
    if importer is None:
        abort(404)
    establishment = _establishment(uai)
    if establishment is None or not tokens.verify(establishment, _bearer()):
        db.session.rollback()
        return _answer(401, erreur="Jeton d'API absent ou invalide pour cet établissement.")
    db.session.commit()  # the token's last use
    limit = int(current_app.config.get("IMPORT_API_MAX_BYTES", DEFAULT_MAX_BYTES))
    if request.content_length is None or request.content_length > limit:
        return _answer(
            413,
            erreur=f"Corps absent ou trop grand (au plus {limit // (1024 * 1024)} Mo) : "
            "découpez l'envoi.",
        )
    try:
        if request.mimetype == "text/csv":
            rows = read_csv(importer, request.get_data())
        elif request.is_json:
            rows = read_json(importer, request.get_json(silent=True))
        else:
            return _answer(415, erreur="Envoyez du JSON (application/json) ou du CSV (text/csv).")
    except ImportRejected as exc:
        return _answer(422, erreurs=list(exc.errors))
    report = run_import(importer, establishment, rows, API_ACTOR)
    if report.errors:
        return _answer(422, erreurs=list(report.errors))
    return _answer(
        200,
        academie=g.academy.code,
        etablissement=establishment.uai,
        crees=report.created,
        modifies=report.updated,
        supprimes=report.removed,
        avertissements=list(report.warnings),
    )
