"""What an uploaded file is, told by its content and never by its name, and the name it
is offered under when downloaded.

Accepted: PDF, PNG, JPEG, and the Office Open XML files Word, Excel and PowerPoint save
(.docx, .xlsx, .pptx): a zip whose `[Content_Types].xml` names the main part of a
document, a workbook or a presentation. Anything else is refused: an executable renamed
.pdf, HTML, SVG (an image that can carry script), a zip of other files, a macro-enabled
Office file.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from typing import IO

# The main part's content type of each Office file (ECMA-376 part 1), as it appears in
# [Content_Types].xml.
_OFFICE = {
    "docx": b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "pptx": b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
_CONTENT_TYPES_MAX = 1024 * 1024  # a real [Content_Types].xml is a few kilobytes

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
EXTENSIONS = {"pdf": ".pdf", "png": ".png", "jpeg": ".jpg", "docx": ".docx", "xlsx": ".xlsx",
              "pptx": ".pptx"}  # fmt: skip


def detect_kind(file: IO[bytes]) -> str | None:
    """`pdf`, `png`, `jpeg`, `docx`, `xlsx` or `pptx` from the file's bytes; None for any
    other content. The file is read from its start and left at its start."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        kind = _office_kind(file)
        file.seek(0)
        return kind
    return None


def _office_kind(file: IO[bytes]) -> str | None:
    try:
        with zipfile.ZipFile(file) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > _CONTENT_TYPES_MAX:
                return None
            with archive.open(info) as part:
                types = part.read(_CONTENT_TYPES_MAX + 1)
    except (zipfile.BadZipFile, KeyError, OSError, NotImplementedError, RuntimeError, EOFError):
        return None
    if len(types) > _CONTENT_TYPES_MAX:
        return None
    found = [kind for kind, main in _OFFICE.items() if b'"' + main + b'"' in types]
    return found[0] if len(found) == 1 else None


_UNSAFE = re.compile(r'[\\/:*?"<>|;%\x00-\x1f\x7f]')


def safe_name(name: str, kind: str) -> str:
    """The uploaded name as it may be offered back: the last path part only, no control
    characters, quotes, separators or leading dots, at most 100 characters, ending in the
    extension of what the file is."""
    name = unicodedata.normalize("NFKC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = _UNSAFE.sub("_", name)
    name = " ".join(name.split()).strip(" .")
    extension = EXTENSIONS[kind]
    stem, dot, ext = name.rpartition(".")
    if dot and "." + ext.lower() in (extension, ".jpeg" if kind == "jpeg" else extension):
        name = stem.strip(" .")
    name = name[: 100 - len(extension)] or "attachment"
    return name + extension
