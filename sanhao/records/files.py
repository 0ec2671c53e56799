"""What an uploaded file is, told by its content and never by its name, and the name it
is offered under when downloaded.

Accepted: PDF, PNG, JPEG, and the Office Open XML files Word, Excel and PowerPoint save
(.docx, .xlsx, .pptx): a zip whose `[Content_Types].xml` names the main part of a
document, a workbook or a presentation. Anything else is refused: an executable renamed
.pdf, HTML, SVG (an image that can carry script), a zip of other files, a macro-enabled
Office file.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.utils.translation import gettext as _

from sanhao.lib.errors import DomainError

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


@dataclass(frozen=True)
class StoredFile:
    """An accepted upload as kept: the name it is offered under, what it is, its size and
    digest, and its random name in the default storage."""

    name: str
    kind: str
    size: int
    sha256: str
    stored_name: str


def max_file_bytes() -> int:
    return int(settings.RECORD_FILE_MAX_BYTES)


def store_upload(uploaded: Any, folder: str) -> StoredFile:
    """Check an uploaded file by its size and content and keep it under `folder/<random>`.
    Nothing is stored when it is refused; a caller whose own write then fails deletes
    `stored_name` again (records, deviations and projects keep evidence this way)."""
    limit = max_file_bytes()
    size = int(getattr(uploaded, "size", 0) or 0)
    if size > limit:
        raise DomainError(_("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
    if size == 0:
        raise DomainError(_("The file is empty."))
    kind = detect_kind(uploaded)
    if kind is None:
        raise DomainError(
            _(
                "Only PDF, PNG, JPEG and Word, Excel or PowerPoint files (.docx, .xlsx, .pptx) can be attached; this file is none of them."
            )
        )
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in iter(lambda: uploaded.read(64 * 1024), b""):
        digest.update(chunk)
    uploaded.seek(0)
    stored = default_storage.save(f"{folder}/{secrets.token_hex(16)}", uploaded)
    return StoredFile(name=safe_name(getattr(uploaded, "name", ""), kind), kind=kind, size=size,
                      sha256=digest.hexdigest(), stored_name=stored)  # fmt: skip


def stored_file_response(stored_name: str, name: str, kind: str) -> FileResponse:
    """A kept file as a download under its safe name and the type its content showed;
    never cached. The view has done the access check."""
    response = FileResponse(
        default_storage.open(stored_name, "rb"),
        as_attachment=True,
        filename=name,
        content_type=CONTENT_TYPES[kind],
    )
    response["Cache-Control"] = "private, no-store"
    return response
