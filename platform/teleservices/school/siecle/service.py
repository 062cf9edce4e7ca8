"""``import_siecle``: read and check every file, then apply them in one transaction.

All or nothing (DAT-1): the files are parsed and checked completely before anything is written;
any error returns a report whose ``rejected`` lists every problem found (file, line, reason)
and leaves the database as it was. On PostgreSQL, imports of one academy are serialised (an
advisory lock held until commit) so that two imports never hand out the same identifier.

Memory is bounded whatever the file size: checked records go to a scratch database on disk
(``staging``) as they are read, and are applied from it a page at a time, in one transaction
committed at the end (rolled back on any failure).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import text

from teleservices import freshness
from teleservices.accounts.precreation import precreate_accounts
from teleservices.extensions import db
from teleservices.school.siecle import parsing
from teleservices.school.siecle.nomenclature import apply_nomenclature
from teleservices.school.siecle.parsing import FileRejected, parse
from teleservices.school.siecle.reading import SiecleInput, open_sources
from teleservices.school.siecle.records import SiecleData
from teleservices.school.siecle.report import ImportReport
from teleservices.school.siecle.representatives import apply_representatives
from teleservices.school.siecle.staging import Staging
from teleservices.school.siecle.students import StudentImport
from teleservices.school.siecle.validation import FileReader, check_references
from teleservices.tenancy.context import all_academies, tenant
from teleservices.tenancy.models import Establishment

ADVISORY_LOCK_CLASS = 7301


def read_files(
    uai: str, files: Sequence[SiecleInput], report: ImportReport, staging: Staging
) -> SiecleData:
    """Parse and check every file into ``staging``; problems go to ``report``."""
    data = SiecleData(staging)
    for name, stream in open_sources(files, report):
        reader = FileReader(name, uai, data, report)
        try:
            root = parse(stream, reader.add)
            reader.finish(root)
        except FileRejected as exc:
            report.error(name, exc.line, exc.reason)
    if not files:
        report.error("", None, "aucun fichier à importer")
    report.files = [{"file": name, "root": root} for root, name in data.files.items()]
    return data


@contextmanager
def _plans_per_execution() -> Iterator[None]:
    """Keep the driver (psycopg) from preparing the statements it sees repeated, meanwhile.

    Applying goes page by page, so the same statements come back again and again; once prepared,
    PostgreSQL may settle on a generic plan, made while the tables just written have no
    statistics, that reads a whole establishment for every page (``= ANY(:keys)`` as a filter).
    Unprepared, each execution is planned with its values.
    """
    driver: Any = db.session.connection().connection.driver_connection
    if not hasattr(driver, "prepare_threshold"):
        yield
        return
    previous = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        yield
    finally:
        driver.prepare_threshold = previous


def _apply(academy_id: int, establishment_id: int, data: SiecleData, report: ImportReport) -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(:kind, :academy)"),
            {"kind": ADVISORY_LOCK_CLASS, "academy": academy_id},
        )
    codes = apply_nomenclature(academy_id, establishment_id, data, report)
    if data.file_of(parsing.ELEVES):
        StudentImport(academy_id, establishment_id, data, codes, report, date.today()).run()
    responsables = data.file_of(parsing.RESPONSABLES) is not None
    if responsables:
        apply_representatives(academy_id, establishment_id, data, report)
    accounts = precreate_accounts(academy_id, establishment_id, responsables)
    report.student_accounts = accounts.student_accounts
    report.representative_accounts = accounts.representative_accounts
    report.accounts_continued = accounts.continued
    report.accounts_detached = accounts.detached


def import_siecle(establishment: Establishment, files: Sequence[SiecleInput]) -> ImportReport:
    """Import SIECLE exports (``.xml`` or ``.zip``) into the establishment, all or nothing.

    Commits on success; on rejection nothing is written and ``report.rejected`` says why.
    """
    with all_academies():
        academy_id, establishment_id, uai = (
            establishment.academy_id,
            establishment.id,
            establishment.uai,
        )
    report = ImportReport(uai=uai)
    with tenant(academy_id), Staging() as staging:
        data = read_files(uai, files, report, staging)
        if report.applied:
            check_references(data, report, establishment_id)
        if not report.applied:
            db.session.rollback()
            return report
        try:
            with _plans_per_execution(), freshness.establishment_writes(establishment_id):
                _apply(academy_id, establishment_id, data, report)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    return report
