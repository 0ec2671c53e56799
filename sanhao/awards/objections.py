"""The notice's public side and its objections (docs/awards.md): what the public page
lists, an objection sent through it, the office's handling of each objection (verifying →
upheld / not upheld, each with a note) and the removal of a nominee during the notice.

An objection needs a real name and a phone. One without them (or with an obviously made-up
name) is kept as an anonymous attempt: recorded, never handled. The audit log names an
objection and its steps by their ids only: an objector's name and phone, and the office's
notes (which may quote them), are in their rows, nowhere else.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from sanhao.accounts.roles import require_office_actor
from sanhao.audit.services import record
from sanhao.awards.models import (
    Action,
    Decision,
    Item,
    Notice,
    Objection,
    ObjectionStep,
    Removal,
    Step,
)
from sanhao.awards.services import by_category, nominees, notice_state
from sanhao.lib.errors import DomainError
from sanhao.scoring import InvalidInput, loads_scheme

CONTENT_MAX = 2000
MOBILE = re.compile(r"^1[3-9][0-9]{9}$", re.ASCII)
# A landline with its area code: 0523-86812345, 010 12345678, (0523)8681234, with an extension.
LANDLINE = re.compile(r"^(\(0\d{2,3}\)|0\d{2,3})[- ]?[2-9]\d{6,7}([- ]?\d{1,6})?$", re.ASCII)
# Names that say "someone" rather than who: 匿名, 某群众, 张某, xxx, ***.
FAKE_NAMES = {
    "匿名", "无名", "无名氏", "佚名", "不详", "保密", "不告诉你", "群众", "一群众", "老百姓",
    "知情人", "知情者", "网友", "市民", "村民", "居民", "路人", "热心群众", "测试", "test",
    "anonymous", "unknown", "无",
}  # fmt: skip
FAKE_MARKS = re.compile(r"某|[×*＊?？]|^[xX]+$|\d")

DEFAULT_LIMITS = {"per_address": 5, "window": 3600}


class NoticeClosed(DomainError):
    """The notice is not open for objections today."""


class TooManyObjections(DomainError):
    """The address has sent as many objections to the notice as the window allows."""


# ----------------------------------------------------------------------- reading


def is_open(notice: Notice, today: dt.date) -> bool:
    return notice_state(notice, today) == "open"


state = notice_state  # the notice's state on a day: "before", "open" or "ended"


@dataclass
class CategoryList:
    category: str
    name: str
    items: list[Item]
    weights: dict[str, Decimal] | None


def scheme_weights(notice: Notice) -> dict[str, dict[str, Decimal]]:
    """The weights of K, P and M per category, from the frozen scheme of the notice's
    snapshot (empty when the snapshot's document cannot be read)."""
    try:
        source = json.loads(notice.deliberation.snapshot.content)["scheme"]
        scheme = loads_scheme(source)
    except (ValueError, KeyError, TypeError, InvalidInput):
        return {}
    return {key: dict(rules.weights) for key, rules in scheme.categories.items()}


def notice_lists(notice: Notice, *, with_weights: bool) -> list[CategoryList]:
    """The list per category, in the categories' order (an empty category is left out)."""
    weights = scheme_weights(notice) if with_weights else {}
    return [
        CategoryList(category, name, items, weights.get(category))
        for category, name, items in by_category(nominees(notice))
    ]


def reference(objection: Objection) -> str:
    """The number an objector is given for their objection."""
    return f"GS{objection.notice_id}-{objection.pk:05d}"


def status_of(objection: Objection) -> str:
    """Where an objection stands: "anonymous", "received", or its newest step."""
    if objection.anonymous:
        return "anonymous"
    steps = list(objection.steps.all())
    return steps[-1].step if steps else "received"


def objections_of(notice: Notice) -> list[Objection]:
    return list(
        Objection.objects.filter(notice=notice)
        .select_related("item")
        .prefetch_related(Prefetch("steps", ObjectionStep.objects.select_related("created_by")))
        .order_by("id")
    )


# ---------------------------------------------------------- objections sent in


def valid_phone(phone: str) -> bool:
    phone = phone.strip()
    return bool(MOBILE.match(phone) or LANDLINE.match(phone))


def looks_fake(name: str) -> bool:
    name = name.strip()
    return len(name) < 2 or name.lower() in FAKE_NAMES or bool(FAKE_MARKS.search(name))


def limits() -> dict[str, int]:
    return {**DEFAULT_LIMITS, **getattr(settings, "NOTICE_OBJECTION_LIMITS", {})}


def _limit_key(notice: Notice, address: str) -> str:
    window = limits()["window"]
    return f"awards:objections:{notice.pk}:{address}:{int(time.time()) // window}"


def check_rate(notice: Notice, address: str) -> None:
    """TooManyObjections when the address has used its budget for the notice in this
    window (5 an hour unless NOTICE_OBJECTION_LIMITS says otherwise)."""
    rules = limits()
    if int(cache.get(_limit_key(notice, address)) or 0) >= rules["per_address"]:
        raise TooManyObjections(
            _(
                "Too many objections have been sent from your network in the last hour. "
                "Please try again later, or use the contact given on the notice."
            )
        )


def count_attempt(notice: Notice, address: str) -> None:
    key = _limit_key(notice, address)
    timeout = limits()["window"] * 2
    if not cache.add(key, 1, timeout=timeout):
        try:
            cache.incr(key)
        except ValueError:  # expired in between
            cache.add(key, 1, timeout=timeout)


def require_open(notice: Notice, today: dt.date) -> None:
    if today < notice.starts:
        raise NoticeClosed(
            _("The notice has not started yet: objections are taken during the notice.")
        )
    if today > notice.ends:
        raise NoticeClosed(_("The notice has ended: objections are no longer taken."))


@transaction.atomic
def submit_objection(
    notice: Notice,
    *,
    item: Item | None,
    real_name: str,
    phone: str,
    content: str,
    today: dt.date,
) -> Objection:
    """Store an objection sent through the notice's page while the notice is open. One
    without a real name or a phone, or with a made-up name, is stored as an anonymous
    attempt (not handled). The audit entry names the objection by its id only."""
    require_open(notice, today)
    content = (content or "").strip()
    real_name = (real_name or "").strip()
    phone = (phone or "").strip()
    if not content:
        raise DomainError(_("Please write what your objection is about."))
    if len(content) > CONTENT_MAX:
        raise DomainError(
            _("An objection can be at most %(n)d characters long.") % {"n": CONTENT_MAX}
        )
    if phone and not valid_phone(phone):
        raise DomainError(_("Please give a mobile number or a landline number with its area code."))
    if item is not None:
        shown = {i.pk for i in nominees(notice)}
        if item.pk not in shown:
            raise DomainError(_("This person or team is not on the notice's list."))
    anonymous = not real_name or not phone or looks_fake(real_name)
    objection = Objection.objects.create(
        notice=notice, item=item, real_name=real_name[:50], phone=phone[:20], content=content,
        anonymous=anonymous, created=timezone.now(),
    )  # fmt: skip
    record(
        "awards.objection.submit",
        actor=None,
        obj=objection,
        data={"notice": notice.pk, "objection": objection.pk, "anonymous": anonymous,
              "item": item.pk if item else None},
    )  # fmt: skip
    return objection


# ------------------------------------------------------------- the office's handling


def _require_no_decision(notice: Notice) -> None:
    if Decision.objects.filter(notice_id=notice.pk).exists():
        raise DomainError(_("The award decision has been issued: the notice can no longer change."))


def _require_handleable(objection: Objection) -> None:
    if objection.anonymous:
        raise DomainError(_("Anonymous objections are recorded but not handled."))


def _note(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Please write a note."))
    return note


def _add_step(objection: Objection, step: str, note: str, actor: Any) -> ObjectionStep:
    try:
        with transaction.atomic():
            return ObjectionStep.objects.create(
                objection=objection, step=step, note=note, created=timezone.now(),
                created_by=actor,
            )  # fmt: skip
    except IntegrityError:  # the same step at the same time in another request
        raise DomainError(_("This objection has already reached this step.")) from None


@transaction.atomic
def start_verifying(objection: Objection, note: str, actor: Any) -> ObjectionStep:
    """The office starts to verify an objection (the first step)."""
    require_office_actor(actor)
    objection = Objection.objects.select_for_update().select_related("notice").get(pk=objection.pk)
    _require_handleable(objection)
    _require_no_decision(objection.notice)
    note = _note(note)
    if objection.steps.exists():
        raise DomainError(_("This objection is already being verified."))
    step = _add_step(objection, Step.VERIFYING, note, actor)
    record("awards.objection.verify", actor=actor, obj=objection,
           data={"objection": objection.pk, "notice": objection.notice_id, "step": step.pk})  # fmt: skip
    return step


@transaction.atomic
def conclude(objection: Objection, upheld: bool, note: str, actor: Any) -> ObjectionStep:
    """The office's conclusion on a verified objection: upheld or not upheld."""
    require_office_actor(actor)
    objection = Objection.objects.select_for_update().select_related("notice").get(pk=objection.pk)
    _require_handleable(objection)
    _require_no_decision(objection.notice)
    steps = set(objection.steps.values_list("step", flat=True))
    if Step.UPHELD in steps or Step.NOT_UPHELD in steps:
        raise DomainError(_("This objection has already been concluded."))
    if Step.VERIFYING not in steps:
        raise DomainError(_("Start verifying the objection before concluding it."))
    note = _note(note)
    step = _add_step(objection, Step.UPHELD if upheld else Step.NOT_UPHELD, note, actor)
    record("awards.objection.conclude", actor=actor, obj=objection,
           data={"objection": objection.pk, "notice": objection.notice_id,
                 "upheld": upheld, "step": step.pk})  # fmt: skip
    return step


@transaction.atomic
def remove_nominee(
    notice: Notice, item: Item, reason: str, actor: Any, objection: Objection | None = None
) -> Removal:
    """Take a nominee off the notice's list with the reason, and the upheld objection
    that led to it if one did. Refused twice for one nominee and after the decision."""
    require_office_actor(actor)
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    _require_no_decision(notice)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Please give the reason for the removal."))
    if item.deliberation_id != notice.deliberation_id or item.action == Action.REMOVE:
        raise DomainError(_("This person or team is not on the notice's list."))
    if Removal.objects.filter(item=item).exists():
        raise DomainError(
            _("%(name)s has already been removed from the notice.") % {"name": item.name}
        )
    if objection is not None:
        if objection.notice_id != notice.pk:
            raise DomainError(_("This objection is not one of this notice's."))
        if status_of(objection) != Step.UPHELD:
            raise DomainError(_("Only an upheld objection can lead to a removal."))
    try:
        with transaction.atomic():
            removal = Removal.objects.create(
                notice=notice, item=item, objection=objection, reason=reason,
                created=timezone.now(), created_by=actor,
            )  # fmt: skip
    except IntegrityError:
        raise DomainError(
            _("%(name)s has already been removed from the notice.") % {"name": item.name}
        ) from None
    record("awards.notice.remove", actor=actor, obj=notice,
           data={"notice": notice.pk, "item": item.pk, "candidate": item.candidate,
                 "removal": removal.pk,
                 "objection": objection.pk if objection else None})  # fmt: skip
    return removal
