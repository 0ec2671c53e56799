"""A file sent as a download: one place for the Content-Disposition of every export."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse


def attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """A download of `content` named `filename` (Chinese allowed, RFC 6266)."""
    answer = HttpResponse(content, content_type=content_type)
    ascii_name = "".join(
        c if (c.isascii() and c.isalnum()) or c in "-_." else "_" for c in filename
    )
    answer["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    answer["X-Content-Type-Options"] = "nosniff"
    return answer
