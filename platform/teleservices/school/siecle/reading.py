"""Open what the user gave: ``.xml`` files or the ``.zip`` archives SIECLE delivers.

A zip is recognised by its content, not its name; each of its ``.xml`` members is read as a
stream (never extracted to memory or disk), and a member announcing an absurd size is refused
before any byte is inflated.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from teleservices.school.siecle.report import ImportReport

ZIP_MAGIC = b"PK\x03\x04"
MAX_MEMBER_BYTES = 1 << 30


@dataclass(frozen=True)
class UploadedFile:
    """A file received without a path (an upload): its name and a seekable binary stream."""

    name: str
    stream: IO[bytes]


SiecleInput = Path | UploadedFile


def _is_zip(stream: IO[bytes]) -> bool:
    head = stream.read(len(ZIP_MAGIC))
    stream.seek(0)
    return head == ZIP_MAGIC


def _zip_members(
    name: str, stream: IO[bytes], report: ImportReport
) -> Iterator[tuple[str, IO[bytes]]]:
    try:
        archive = zipfile.ZipFile(stream)
    except zipfile.BadZipFile:
        report.error(name, None, "archive zip illisible")
        return
    with archive:
        members = [i for i in archive.infolist() if not i.is_dir()]
        xml_members = [i for i in members if i.filename.lower().endswith(".xml")]
        if not xml_members:
            report.error(name, None, "l'archive ne contient aucun fichier .xml")
        for info in members:
            if info not in xml_members:
                report.warn(name, None, f"« {info.filename} » ignoré (pas un fichier .xml)")
        for info in xml_members:
            member_name = f"{name}:{info.filename}"
            if info.file_size > MAX_MEMBER_BYTES:
                report.error(member_name, None, "fichier trop volumineux (plus de 1 Gio)")
                continue
            try:
                member = archive.open(info)
            except (RuntimeError, NotImplementedError, zipfile.BadZipFile) as exc:
                report.error(member_name, None, f"lecture impossible dans l'archive ({exc})")
                continue
            with member:
                yield member_name, member


def open_sources(
    inputs: Sequence[SiecleInput], report: ImportReport
) -> Iterator[tuple[str, IO[bytes]]]:
    """Yield ``(name, binary stream)`` for every XML document of ``inputs``, one at a time.

    Unreadable inputs are recorded as errors in ``report`` and skipped.
    """
    for item in inputs:
        with ExitStack() as stack:
            if isinstance(item, Path):
                name = item.name
                try:
                    stream: IO[bytes] = stack.enter_context(item.open("rb"))
                except OSError as exc:
                    report.error(name, None, f"fichier illisible ({exc.strerror or exc})")
                    continue
            else:
                name = item.name
                stream = item.stream
                stream.seek(0)
            if _is_zip(stream):
                yield from _zip_members(name, stream, report)
            else:
                yield name, stream
