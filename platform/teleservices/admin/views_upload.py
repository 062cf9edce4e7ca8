"""« Import des données SIECLE »: an establishment's staff upload its SIECLE exports (``.xml`` or
``.zip``, several at once), ``import_siecle`` applies them all or nothing, and the page shows the
report: counts, accounts created, warnings, or every rejected line with nothing changed.

The request body is limited (``SIECLE_UPLOAD_MAX_BYTES``, 50 MB by default) before the form is
read, so an oversized upload gets a French message instead of a bare 413. The view checks the CSRF
token through its form (after that limit) rather than through the global CSRF hook.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, request
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from teleservices.admin import audit
from teleservices.admin.academy_forms import UploadForm
from teleservices.admin.access import ALL_ROLES, require_staff
from teleservices.admin.blueprints import bp
from teleservices.admin.views_academy import actor
from teleservices.extensions import csrf, db
from teleservices.school.siecle import ImportReport, UploadedFile, import_siecle
from teleservices.tenancy.models import Establishment

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
ALLOWED_SUFFIXES = (".xml", ".zip")
# Room for the multipart boundaries and the CSRF field around the files themselves.
FORM_OVERHEAD = 64 * 1024


def max_bytes() -> int:
    return int(current_app.config.get("SIECLE_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def _too_large() -> str:
    return _(
        "Les fichiers envoyés dépassent la taille maximale autorisée (%(size)s Mo en tout). "
        "Envoyez-les en plusieurs fois ou compressez-les en .zip.",
        size=_megabytes(max_bytes()),
    )


def _size(upload: FileStorage) -> int:
    stream = upload.stream
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def _check_files(files: list[FileStorage]) -> list[str]:
    """French error messages for a missing file, a wrong kind of file or a total too large."""
    if not files:
        return [_("Choisissez au moins un fichier SIECLE (.xml ou .zip).")]
    errors = [
        _(
            "« %(name)s » n'est pas un fichier .xml ou .zip.",
            name=upload.filename or "",
        )
        for upload in files
        if not (upload.filename or "").lower().endswith(ALLOWED_SUFFIXES)
    ]
    if sum(_size(upload) for upload in files) > max_bytes():
        errors.append(_too_large())
    return errors


def _summary(report: ImportReport) -> dict[str, Any]:
    """What the audit log keeps of an import."""
    if not report.applied:
        return {
            "applied": False,
            "errors": [str(issue) for issue in report.rejected[:20]],
            "error_count": len(report.rejected),
        }
    return {
        "applied": True,
        "files": [f["file"] for f in report.files],
        "students": {
            "created": report.students.created,
            "updated": report.students.updated,
            "left": report.left,
            "moved": report.moved,
        },
        "representatives": {
            "created": report.representatives.created,
            "updated": report.representatives.updated,
            "removed": report.representatives.removed,
        },
        "accounts": {
            "students": report.student_accounts,
            "representatives": report.representative_accounts,
        },
        "warnings": len(report.warnings),
    }


def _render(establishment: Establishment, form: UploadForm, **context: Any) -> str:
    return render_template(
        "admin/upload.html",
        establishment=establishment,
        form=form,
        max_megabytes=_megabytes(max_bytes()),
        **context,
    )


@bp.route("/etablissements/<uai>/import-siecle", methods=["GET", "POST"])
@require_staff(ALL_ROLES, establishment_from="uai")
def siecle_upload(establishment: Establishment) -> tuple[str, int] | str:
    """The upload form; on POST, the import and its report."""
    if request.method == "POST":
        limit = max_bytes() + FORM_OVERHEAD
        if (request.content_length or 0) > limit:
            return _render(establishment, UploadForm(formdata=None), errors=[_too_large()]), 413
        request.max_content_length = limit
        try:
            form = UploadForm()
        except RequestEntityTooLarge:
            return _render(establishment, UploadForm(formdata=None), errors=[_too_large()]), 413
    else:
        form = UploadForm()
    if not form.validate_on_submit():
        return _render(establishment, form)
    files = [upload for upload in request.files.getlist(form.files.name) if upload.filename]
    errors = _check_files(files)
    if errors:
        return _render(establishment, form, errors=errors), 400
    report = import_siecle(
        establishment,
        [UploadedFile(upload.filename or "", upload.stream) for upload in files],
    )
    audit.record(
        "school.siecle_import" if report.applied else "school.siecle_import_rejected",
        actor(),
        establishment=establishment,
        target=", ".join(upload.filename or "" for upload in files),
        after=_summary(report),
    )
    db.session.commit()
    return _render(establishment, form, report=report)


csrf.exempt(siecle_upload)
