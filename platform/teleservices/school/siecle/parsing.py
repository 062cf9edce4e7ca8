"""Streaming parse of SIECLE BEE XML: defusedxml's SAX parser, no tree, no entity expansion.

The root element tells the kind of file. Each *record* element (an ``ELEVE``, a ``PERSONNE``…)
is handed to a sink as a ``RawRecord`` as soon as it closes, with its attributes, the trimmed
text of its direct child elements, the child elements of its repeated blocks (``STRUCTURE``) and
the line where it starts; nothing else is kept, so memory stays bounded whatever the file size.
Unknown elements are ignored. DTD entities are refused (billion laughs, external entities).
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import AttributesImpl, Locator

from defusedxml import DefusedXmlException
from defusedxml.sax import make_parser

ELEVES = "BEE_ELEVES"
RESPONSABLES = "BEE_RESPONSABLES"
NOMENCLATURES = "BEE_NOMENCLATURES"
STRUCTURES = "BEE_STRUCTURES"
COMMUN = "BEE_COMMUN"


@dataclass(frozen=True)
class RecordSpec:
    """A record element: its path under the root and the children that repeat as blocks."""

    path: tuple[str, ...]
    blocks: frozenset[str] = frozenset()


PARAMETRES = RecordSpec(("PARAMETRES",))
ELEVE = RecordSpec(("DONNEES", "ELEVES", "ELEVE"))
STRUCTURES_ELEVE = RecordSpec(
    ("DONNEES", "STRUCTURES", "STRUCTURES_ELEVE"), frozenset({"STRUCTURE"})
)
PERSONNE = RecordSpec(("DONNEES", "PERSONNES", "PERSONNE"))
RESPONSABLE_ELEVE = RecordSpec(("DONNEES", "RESPONSABLES", "RESPONSABLE_ELEVE"))
ADRESSE = RecordSpec(("DONNEES", "ADRESSES", "ADRESSE"))
MEF = RecordSpec(("DONNEES", "MEFS", "MEF"))
MATIERE = RecordSpec(("DONNEES", "MATIERES", "MATIERE"))
DIVISION = RecordSpec(("DONNEES", "DIVISIONS", "DIVISION"))
GROUPE = RecordSpec(("DONNEES", "GROUPES", "GROUPE"))

RECORDS: dict[str, tuple[RecordSpec, ...]] = {
    ELEVES: (PARAMETRES, ELEVE, STRUCTURES_ELEVE),
    RESPONSABLES: (PARAMETRES, PERSONNE, RESPONSABLE_ELEVE, ADRESSE),
    NOMENCLATURES: (PARAMETRES, MEF, MATIERE),
    STRUCTURES: (PARAMETRES, DIVISION, GROUPE),
    COMMUN: (PARAMETRES,),
}
MAX_TEXT_LENGTH = 2000
MAX_RECORDS = 200_000


class FileRejected(Exception):
    """The file cannot be read further; ``line`` and ``reason`` say where and why."""

    def __init__(self, line: int | None, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


@dataclass(slots=True)
class RawRecord:
    """One record element as read: strings only, trimmed, empty for empty elements."""

    spec: RecordSpec
    line: int
    attributes: dict[str, str]
    fields: dict[str, str] = field(default_factory=dict)
    blocks: list[dict[str, str]] = field(default_factory=list)


class _Handler(ContentHandler):
    def __init__(self, sink: Callable[[str, RawRecord], None]) -> None:
        super().__init__()
        self._sink = sink
        self._locator: Locator | None = None
        self.root = ""
        self._specs: dict[tuple[str, ...], RecordSpec] = {}
        self._path: list[str] = []
        self._record: RawRecord | None = None
        self._record_depth = 0
        self._block: dict[str, str] | None = None
        self._text: list[str] = []
        self._text_length = 0
        self._capture_depth = 0
        self._records = 0

    def setDocumentLocator(self, locator: Locator) -> None:
        self._locator = locator

    @property
    def line(self) -> int | None:
        return self._locator.getLineNumber() if self._locator is not None else None

    def startElement(self, name: str, attrs: AttributesImpl) -> None:
        if not self._path:
            if name not in RECORDS:
                raise FileRejected(
                    self.line,
                    f"élément racine « {name} » inattendu : {', '.join(RECORDS)} attendu",
                )
            self.root = name
            self._specs = {spec.path: spec for spec in RECORDS[name]}
        self._path.append(name)
        depth = len(self._path)
        if self._record is None:
            spec = self._specs.get(tuple(self._path[1:]))
            if spec is not None:
                self._records += 1
                if self._records > MAX_RECORDS:
                    raise FileRejected(self.line, f"plus de {MAX_RECORDS} enregistrements")
                self._record = RawRecord(
                    spec, self.line or 0, {k: v.strip() for k, v in attrs.items()}
                )
                self._record_depth = depth
            return
        relative = depth - self._record_depth
        if relative == 1:
            if name in self._record.spec.blocks:
                self._block = {}
                self._record.blocks.append(self._block)
            self._start_text(depth)
        elif relative == 2 and self._block is not None:
            self._start_text(depth)

    def _start_text(self, depth: int) -> None:
        self._text = []
        self._text_length = 0
        self._capture_depth = depth

    def characters(self, content: str) -> None:
        if self._capture_depth and len(self._path) == self._capture_depth:
            self._text_length += len(content)
            if self._text_length > MAX_TEXT_LENGTH:
                raise FileRejected(
                    self.line, f"valeur de « {self._path[-1]} » trop longue (> {MAX_TEXT_LENGTH})"
                )
            self._text.append(content)

    def endElement(self, name: str) -> None:
        depth = len(self._path)
        record = self._record
        if record is not None:
            if depth == self._capture_depth:
                value = "".join(self._text).strip()
                relative = depth - self._record_depth
                if relative == 1 and name not in record.spec.blocks:
                    record.fields[name] = value
                elif relative == 2 and self._block is not None:
                    self._block[name] = value
                self._capture_depth = 0
            if depth == self._record_depth + 1:
                self._block = None
            elif depth == self._record_depth:
                self._record = None
                self._sink(self.root, record)
        self._path.pop()


def parse(stream: IO[bytes], sink: Callable[[str, RawRecord], None]) -> str:
    """Parse one SIECLE document, calling ``sink(root, record)`` per record; return the root.

    Raises ``FileRejected`` for a malformed file, a wrong root element, entities or excessive
    sizes; exceptions raised by ``sink`` propagate.
    """
    handler = _Handler(sink)
    parser = make_parser()
    parser.setContentHandler(handler)
    try:
        parser.parse(stream)
    except SAXParseException as exc:
        raise FileRejected(exc.getLineNumber(), f"XML mal formé ({exc.getMessage()})") from exc
    except DefusedXmlException as exc:
        raise FileRejected(
            handler.line,
            "déclaration d'entités ou référence externe interdite (fichier refusé par sécurité)",
        ) from exc
    except (EOFError, zlib.error, zipfile.BadZipFile, OSError) as exc:
        raise FileRejected(handler.line, f"lecture interrompue ({exc})") from exc
    if not handler.root:
        raise FileRejected(None, "document XML vide")
    return handler.root
