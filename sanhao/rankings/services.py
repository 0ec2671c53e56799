"""A campaign year's scheme: its first version from the engine's default, then the
versions the office saves, each checked by the engine's own reader first.

Versions are append-only. From the evaluation on the scheme is locked: a change is still
a new version, and it needs a reason.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sanhao.accounts.roles import require_office_actor
from sanhao.audit.services import record
from sanhao.campaigns.models import PHASE_ORDER, CampaignYear, Phase
from sanhao.lib.errors import DomainError
from sanhao.rankings.models import SchemeVersion
from sanhao.scoring import DEFAULT_SCHEME, InvalidInput, Problem, Scheme, loads_scheme


class SchemeProblems(DomainError):
    """The engine found problems in a scheme file; `problems` holds each, located."""

    def __init__(self, problems: list[Problem]) -> None:
        n = len(problems)
        super().__init__(
            ngettext(
                "The scheme has %(n)s problem; nothing was saved.",
                "The scheme has %(n)s problems; nothing was saved.",
                n,
            )
            % {"n": n}
        )
        self.problems = problems


class ReasonRequired(DomainError):
    """The year is locked and the change came without a reason."""


class StaleBase(DomainError):
    """The change was made on a version that is no longer the newest."""


def check_scheme(source_text: str) -> Scheme:
    """The engine's scheme from a file's text, or SchemeProblems with every problem."""
    try:
        return loads_scheme(source_text)
    except InvalidInput as error:
        raise SchemeProblems(error.problems) from None


def is_locked(year: CampaignYear) -> bool:
    """From the evaluation on, a change of the scheme is a new version with a reason."""
    return year.phase_index >= PHASE_ORDER.index(Phase.EVALUATION)


def _toml_string(value: str) -> str:
    # JSON's escapes are a subset of TOML's basic strings.
    return json.dumps(value, ensure_ascii=False)


def default_source(year: CampaignYear) -> str:
    """The engine's default scheme file, its version and title set to the year.

    Only the two lines of the preamble (before the first table) change; every comment
    of the default stays, for the clerk who downloads and edits it."""
    text = DEFAULT_SCHEME.read_text(encoding="utf-8")
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Scheme of %(title)s") % {"title": year.display_title}
    version = f"{year.year}.1"
    head, table, rest = text.partition("\n[")
    head = re.sub(r"^version = .*$", lambda _m: f"version = {_toml_string(version)}", head,
                  count=1, flags=re.MULTILINE)  # fmt: skip
    head = re.sub(r"^title = .*$", lambda _m: f"title = {_toml_string(title)}", head,
                  count=1, flags=re.MULTILINE)  # fmt: skip
    source = head + table + rest
    scheme = check_scheme(source)
    assert (scheme.version, scheme.title) == (version, title), "default scheme's preamble moved"
    return source


def _newest(year: CampaignYear) -> SchemeVersion | None:
    return (
        SchemeVersion.objects.filter(year=year)
        .select_related("year", "created_by")
        .order_by("-number")
        .first()
    )


@transaction.atomic
def start_scheme(year: CampaignYear, *, actor: Any) -> SchemeVersion:
    """The year's first version, from the engine's default; the newest one if it has any.

    Called when a year opens (by the office) and, for years opened before, on first
    reading (by the system: `actor` None)."""
    year = CampaignYear.objects.select_for_update().get(pk=year.pk)
    newest = _newest(year)
    if newest is not None:
        return newest
    source = default_source(year)
    version = SchemeVersion(
        year=year,
        number=1,
        source=source,
        scheme_hash=check_scheme(source).source_hash,
        created=timezone.now(),
        created_by=actor if actor is not None and actor.pk else None,
    )
    version.save()
    record(
        "rankings.scheme.start",
        actor=actor,
        obj=version,
        data={"year": year.year, "number": 1, "hash": version.scheme_hash, "from": "default"},
    )
    return version


def current_scheme(year: CampaignYear) -> SchemeVersion:
    """The year's newest scheme version; the first one is created if it has none yet."""
    return _newest(year) or start_scheme(year, actor=None)


@transaction.atomic
def save_scheme_version(
    year: CampaignYear,
    source_text: str,
    *,
    reason: str,
    actor: Any,
    base: int | None = None,
    via: str = "file",
) -> SchemeVersion:
    """A new version of the year's scheme, checked by the engine; nothing else changes.

    `base`: the version number the change was made on (the editor's sections); refused
    when another version was saved since. `via` says in the audit entry how it was made:
    "file" (uploaded or pasted) or "editor:<section>"."""
    require_office_actor(actor)
    reason = reason.strip()
    scheme = check_scheme(source_text)
    year = CampaignYear.objects.select_for_update().get(pk=year.pk)
    current = current_scheme(year)
    if base is not None and base != current.number:
        raise StaleBase(
            _(
                "The scheme changed while you were editing: version %(number)s was saved "
                "meanwhile. Open the section again to edit the newest version."
            )
            % {"number": current.number}
        )
    if scheme.source_hash == current.scheme_hash:
        raise DomainError(
            _("Nothing changed: this is the scheme of version %(number)s.")
            % {"number": current.number}
        )
    if is_locked(year) and not reason:
        raise ReasonRequired(
            _(
                "The scheme is locked since the evaluation began: a change is a new version "
                "and needs a reason."
            )
        )
    version = SchemeVersion(
        year=year,
        number=current.number + 1,
        source=source_text,
        scheme_hash=scheme.source_hash,
        reason=reason,
        created=timezone.now(),
        created_by=actor,
    )
    version.save()
    record(
        "rankings.scheme.save",
        actor=actor,
        obj=version,
        data={
            "year": year.year,
            "number": version.number,
            "hash": version.scheme_hash,
            "version": scheme.version,
            "reason": reason,
            "via": via,
        },
    )
    return version
