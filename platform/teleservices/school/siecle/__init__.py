"""SIECLE import (DAT-1, DAT-2): the establishment's BEE exports into the school tables.

``reading`` opens ``.xml`` and ``.zip`` inputs, ``parsing`` streams the XML safely,
``validation`` checks and converts records into ``staging`` (a scratch database on disk, so that
memory does not grow with the files), then ``nomenclature``, ``students`` and
``representatives`` apply them a page at a time and ``teleservices.accounts.precreation``
pre-creates accounts; ``service.import_siecle`` runs the whole, all or nothing.
"""

from teleservices.school.siecle.reading import UploadedFile
from teleservices.school.siecle.report import ImportIssue, ImportReport
from teleservices.school.siecle.service import import_siecle

__all__ = ["ImportIssue", "ImportReport", "UploadedFile", "import_siecle"]
