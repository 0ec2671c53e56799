"""Objections to the public notice: the form (captcha, rate limit, anonymous attempts),
the office's handling in order, and removals."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sanhao.audit.models import AuditEntry
from sanhao.awards import captcha
from sanhao.awards import objections as services
from sanhao.awards.models import Decision, Objection, ObjectionStep, Removal
from sanhao.awards.tests.factories import make_notice
from sanhao.lib.errors import DomainError

NUMERALS = "零一二三四五六七八九十"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def notice(world):
    return make_notice(world)


def solve(question: str) -> str:
    found = re.search(r"(\S) (加|减) (\S) 等于几", question)
    assert found is not None, question
    a, op, b = found.groups()
    x, y = NUMERALS.index(a), NUMERALS.index(b)
    return str(x + y if op == "加" else x - y)


def form_page(client, notice) -> tuple[str, str]:
    """The token and the answer of a fresh objection form."""
    response = client.get(reverse("notice:object", args=[notice.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    token = re.search(r'name="token" value="([^"]+)"', body)
    question = re.search(r"验证问题：([^<]*等于几？)", body)
    assert token is not None and question is not None, body
    return token.group(1), solve(question.group(1))


def send(client, notice, *, answer=None, token=None, **fields):
    fresh_token, fresh_answer = form_page(client, notice)
    data = {"item": "", "real_name": "王实名", "phone": "13912345678",
            "content": "该同志有违规行为", "token": token or fresh_token,
            "answer": fresh_answer if answer is None else answer} | fields  # fmt: skip
    return client.post(reverse("notice:object", args=[notice.pk]), data)


def test_a_valid_objection_is_stored_and_audited_without_the_name_or_phone(world, notice):
    item = notice.deliberation.items.get(candidate="L-town-a")
    response = send(Client(), notice, item=str(item.pk))
    assert response.status_code == 200, response.content.decode()
    objection = Objection.objects.get()
    assert (objection.item, objection.real_name, objection.phone) == (item, "王实名", "13912345678")
    assert not objection.anonymous
    body = response.content.decode()
    assert services.reference(objection) in body and "感谢您的反映" in body
    assert not response.cookies and "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action="awards.objection.submit")
    written = json.dumps(entry.data, ensure_ascii=False) + entry.object_repr + entry.actor_name
    assert entry.data["objection"] == objection.pk
    assert "王实名" not in written and "13912345678" not in written


@pytest.mark.parametrize(
    "fields",
    [{"real_name": ""}, {"phone": ""}, {"real_name": "匿名"}, {"real_name": "张某"},
     {"real_name": "xxx"}, {"real_name": "王××"}, {"real_name": "王"}],
)  # fmt: skip
def test_an_objection_without_a_real_name_or_phone_is_kept_as_an_anonymous_attempt(
    world, notice, fields
):
    response = send(Client(), notice, **fields)
    assert response.status_code == 200
    assert "匿名反映不予受理，已登记" in response.content.decode()
    objection = Objection.objects.get()
    assert objection.anonymous and objection.content == "该同志有违规行为"
    with pytest.raises(DomainError, match="匿名反映不予受理"):
        services.start_verifying(objection, "核实", world.office)
    assert not ObjectionStep.objects.exists()


@pytest.mark.parametrize("phone", ["0523-86812345", "010 62345678", "(0523)8681234", "15800001111",
                                   "１５８００００１１１１"])  # fmt: skip
def test_it_takes_a_mobile_or_a_landline_with_its_area_code(world, notice, phone):
    assert send(Client(), notice, phone=phone).status_code == 200
    kept = Objection.objects.get()
    assert not kept.anonymous and kept.phone.isascii()


@pytest.mark.parametrize("phone", ["12345", "12812345678", "86812345", "13٠١٢٣٤٥٦٧٨٩"])
def test_a_wrong_phone_is_refused_and_nothing_stored(world, notice, phone):
    response = send(Client(), notice, phone=phone)
    assert response.status_code == 400 and "请填写正确的手机号码" in response.content.decode()
    assert not Objection.objects.exists()


@pytest.mark.parametrize("name", ["王实名", "欧阳明月", "阿卜杜·热合曼", "Alexxander"])
def test_a_real_looking_name_is_not_taken_for_a_made_up_one(name):
    assert not services.looks_fake(name)


def test_too_long_an_objection_is_refused(world, notice):
    response = send(Client(), notice, content="字" * 2001)
    assert response.status_code == 400 and not Objection.objects.exists()


def test_a_wrong_answer_stores_nothing(world, notice):
    response = send(Client(), notice, answer="99")
    assert response.status_code == 400
    assert "验证问题回答错误" in response.content.decode()
    assert not Objection.objects.exists() and not AuditEntry.objects.filter(
        action="awards.objection.submit").exists()  # fmt: skip
    # The page asks a new question and keeps what was written, without judging it.
    assert "该同志有违规行为" in response.content.decode()
    assert "必填" not in response.content.decode()


def test_a_forged_or_missing_token_stores_nothing(world, notice):
    assert send(Client(), notice, token="forged:token").status_code == 400
    data = {"real_name": "王实名", "phone": "13912345678", "content": "x", "answer": "1"}
    assert Client().post(reverse("notice:object", args=[notice.pk]), data).status_code == 400
    assert not Objection.objects.exists()


def test_a_used_captcha_is_refused(world, notice):
    client = Client()
    token, answer = form_page(client, notice)
    assert send(client, notice, token=token, answer=answer).status_code == 200
    again = send(client, notice, token=token, answer=answer)
    assert again.status_code == 400 and "已使用过" in again.content.decode()
    assert Objection.objects.count() == 1


def test_a_wrong_answer_uses_the_token_up(world, notice):
    token, answer = form_page(Client(), notice)
    with pytest.raises(captcha.CaptchaRefused):
        captcha.check(token, str(int(answer) + 1))
    with pytest.raises(captcha.CaptchaRefused, match="已使用过"):
        captcha.check(token, answer)


def test_a_captcha_expires_after_ten_minutes(world, notice, monkeypatch):
    challenge = captcha.new_challenge()
    answer = solve(challenge.question)
    later = __import__("time").time() + captcha.MAX_AGE + 1
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    with pytest.raises(captcha.CaptchaRefused, match="已过期"):
        captcha.check(challenge.token, answer)


def test_the_captcha_token_holds_a_nonce_and_a_keyed_hash_not_the_answer(db):
    from django.core.signing import TimestampSigner

    challenge = captcha.new_challenge()
    data = TimestampSigner(salt=captcha.SALT).unsign_object(challenge.token)
    assert set(data) == {"n", "h"} and len(data["h"]) == 32
    captcha.check(challenge.token, solve(challenge.question))


def test_it_takes_the_answer_in_full_width_or_chinese_digits(db):
    for write in (lambda n: str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９")),
                  lambda n: NUMERALS[n] if n <= 10 else "十" + NUMERALS[n - 10]):  # fmt: skip
        challenge = captcha.new_challenge()
        captcha.check(challenge.token, write(int(solve(challenge.question))))


def test_it_takes_at_most_five_objections_an_hour_from_one_address(world, notice):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _n in range(5):
        assert send(client, notice).status_code == 200
    refused = send(client, notice)
    assert refused.status_code == 429 and "提交的异议过多" in refused.content.decode()
    assert Objection.objects.count() == 5
    # Another address, or another notice, has its own budget.
    assert send(Client(REMOTE_ADDR="203.0.113.10"), notice).status_code == 200
    other = make_notice(world)
    assert send(client, other).status_code == 200
    assert Objection.objects.count() == 7


def test_an_objectors_name_and_phone_are_never_logged(world, notice, caplog):
    caplog.set_level("DEBUG")
    send(Client(), notice, phone="123")  # refused: logged as a bad request
    send(Client(), notice)
    assert Objection.objects.count() == 1
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "王实名" not in logged and "13912345678" not in logged


def test_wrong_answers_count_against_the_budget(world, notice, settings):
    settings.NOTICE_OBJECTION_LIMITS = {"per_address": 2}
    client = Client(REMOTE_ADDR="203.0.113.9")
    assert send(client, notice, answer="99").status_code == 400
    assert send(client, notice, answer="99").status_code == 400
    assert send(client, notice).status_code == 429
    assert not Objection.objects.exists()


@pytest.mark.parametrize(
    ("starts", "ends", "said"), [(1, 3, "公示尚未开始"), (-6, -1, "公示已结束")]
)
def test_a_notice_that_is_not_open_takes_no_objection(world, starts, ends, said):
    today = timezone.localdate()
    notice = make_notice(world, starts=today + dt.timedelta(days=starts),
                         ends=today + dt.timedelta(days=ends))  # fmt: skip
    page = Client().get(reverse("notice:object", args=[notice.pk]))
    assert page.status_code == 200 and said in page.content.decode()
    assert 'name="content"' not in page.content.decode()
    challenge = captcha.new_challenge()
    data = {"real_name": "王实名", "phone": "13912345678", "content": "x",
            "token": challenge.token, "answer": solve(challenge.question)}  # fmt: skip
    response = Client().post(reverse("notice:object", args=[notice.pk]), data)
    assert response.status_code == 403 and said in response.content.decode()
    assert not Objection.objects.exists()
    with pytest.raises(DomainError, match=said):
        services.submit_objection(notice, item=None, real_name="王实名", phone="13912345678",
                                  content="x", today=today)  # fmt: skip


def test_the_last_day_is_open_in_the_projects_timezone(world):
    notice = make_notice(world, starts=dt.date(2025, 9, 28), ends=dt.date(2025, 10, 10))
    for today, is_open in [(dt.date(2025, 9, 27), False), (dt.date(2025, 9, 28), True),
                           (dt.date(2025, 10, 10), True), (dt.date(2025, 10, 11), False)]:  # fmt: skip
        assert services.is_open(notice, today) is is_open


def test_an_objection_about_a_removed_nominee_is_refused(world, notice):
    item = notice.deliberation.items.get(candidate="L-town-a")
    services.remove_nominee(notice, item, "经核实不符合条件", world.office)
    with pytest.raises(DomainError, match="不在公示名单中"):
        services.submit_objection(notice, item=item, real_name="王实名", phone="13912345678",
                                  content="x", today=timezone.localdate())  # fmt: skip


def objection_of(notice, **fields) -> Objection:
    values = {"item": None, "real_name": "王实名", "phone": "13912345678", "content": "反映",
              "today": timezone.localdate()} | fields  # fmt: skip
    return services.submit_objection(notice, **values)


def test_the_office_verifies_then_concludes_with_a_note_each(world, notice):
    objection = objection_of(notice)
    with pytest.raises(DomainError, match="请先核实"):
        services.conclude(objection, True, "属实", world.office)
    with pytest.raises(DomainError, match="请填写说明"):
        services.start_verifying(objection, " ", world.office)
    services.start_verifying(objection, "已约谈反映人", world.office)
    assert services.status_of(objection) == "verifying"
    with pytest.raises(DomainError, match="已在核实中"):
        services.start_verifying(objection, "再次", world.office)
    with pytest.raises(DomainError, match="请填写说明"):
        services.conclude(objection, False, "", world.office)
    services.conclude(objection, False, "经查不属实", world.office)
    assert services.status_of(objection) == "not_upheld"
    with pytest.raises(DomainError, match="已办结"):
        services.conclude(objection, True, "改为属实", world.office)
    actions = list(AuditEntry.objects.filter(action__startswith="awards.objection.")
                   .values_list("action", flat=True).order_by("seq"))  # fmt: skip
    assert actions == ["awards.objection.submit", "awards.objection.verify",
                       "awards.objection.conclude"]  # fmt: skip
    for entry in AuditEntry.objects.filter(action__startswith="awards.objection."):
        assert "王实名" not in json.dumps(entry.data, ensure_ascii=False)
        assert "13912345678" not in json.dumps(entry.data)


def test_only_the_office_handles_objections(world, notice):
    objection = objection_of(notice)
    for who in ("liaison_a", "viewer", "judge"):
        with pytest.raises(DomainError):
            services.start_verifying(objection, "核实", getattr(world, who))
    assert not ObjectionStep.objects.exists()


def test_a_nominee_is_removed_once_with_a_reason(world, notice):
    item = notice.deliberation.items.get(candidate="L-town-a")
    with pytest.raises(DomainError, match="撤销理由"):
        services.remove_nominee(notice, item, "", world.office)
    removal = services.remove_nominee(notice, item, "经核实不符合条件", world.office)
    assert removal.item == item and item not in services.nominees(notice)
    with pytest.raises(DomainError, match="已被撤销"):
        services.remove_nominee(notice, item, "再次", world.office)
    assert Removal.objects.count() == 1
    entry = AuditEntry.objects.get(action="awards.notice.remove")
    # The reason may quote the objector: the audit entry names the removal, not its text.
    assert entry.data["item"] == item.pk and entry.data["removal"] == removal.pk
    assert "经核实不符合条件" not in str(entry.data)


def test_a_removal_may_name_an_upheld_objection_only(world, notice):
    item = notice.deliberation.items.get(candidate="L-town-a")
    objection = objection_of(notice, item=item)
    with pytest.raises(DomainError, match="属实的反映"):
        services.remove_nominee(notice, item, "反映属实", world.office, objection=objection)
    services.start_verifying(objection, "核实", world.office)
    services.conclude(objection, True, "属实", world.office)
    removal = services.remove_nominee(notice, item, "反映属实", world.office, objection=objection)
    assert removal.objection == objection


def test_nothing_changes_after_the_decision(world, notice):
    item = notice.deliberation.items.get(candidate="L-town-a")
    objection = objection_of(notice)
    Decision.objects.create(notice=notice, number="泰姜组〔2026〕1号", title="表彰决定",
                            issuer=notice.issuer, body="", issued_on=dt.date(2026, 12, 31),
                            created=timezone.now(), created_by=world.office)  # fmt: skip
    with pytest.raises(DomainError, match="表彰决定已印发"):
        services.remove_nominee(notice, item, "理由", world.office)
    with pytest.raises(DomainError, match="表彰决定已印发"):
        services.start_verifying(objection, "核实", world.office)


# ------------------------------------------------------------------ the office's pages


def office_url(name, notice, **extra):
    year = notice.deliberation.snapshot.year
    return reverse(f"notice:{name}", kwargs={"pk": year.pk, "notice_pk": notice.pk, **extra})


def test_the_office_lists_objections_with_anonymous_attempts_apart(world, notice):
    objection_of(notice, content="实名反映的内容")
    objection_of(notice, real_name="", content="匿名反映的内容")
    body = world.client_for(world.office).get(office_url("objections", notice)).content.decode()
    handled, anonymous = body.split("匿名反映（不予受理）")
    assert "实名反映的内容" not in handled and "王实名" in handled
    assert "匿名反映的内容" in anonymous and "不予受理" in anonymous


def test_the_office_handles_an_objection_through_its_page(world, notice):
    item = notice.deliberation.items.get(candidate="L-town-a")
    objection = objection_of(notice, item=item)
    client = world.client_for(world.office)
    url = office_url("objection", notice, objection_pk=objection.pk)
    page = client.get(url).content.decode()
    assert "王实名" in page and "13912345678" in page and 'value="verifying"' in page
    assert client.post(url, {"step": "upheld", "note": "属实"}).status_code == 200
    assert not ObjectionStep.objects.exists()
    client.post(url, {"step": "verifying", "note": "开始核实"})
    response = client.post(url, {"step": "upheld", "note": "经查属实"})
    assert response.status_code == 302
    assert services.status_of(objection) == "upheld"
    page = client.get(url).content.decode()
    assert "撤销拟表彰资格" in page and "经查属实" in page
    response = client.post(office_url("remove", notice),
                           {"item": item.pk, "reason": "反映属实", "objection": objection.pk})  # fmt: skip
    assert response.status_code == 302
    assert Removal.objects.get().objection == objection
    again = client.post(office_url("remove", notice), {"item": item.pk, "reason": "再次"})
    assert again.status_code == 302 and Removal.objects.count() == 1


def test_another_years_or_notices_ids_are_not_found(world, notice):
    from sanhao.campaigns.services import open_campaign_year

    other_year = open_campaign_year(world.district, 2027, actor=world.office)
    objection = objection_of(notice)
    client = world.client_for(world.office)
    wrong = reverse("notice:objections", kwargs={"pk": other_year.pk, "notice_pk": notice.pk})
    assert client.get(wrong).status_code == 404
    other = make_notice(world, deliberation=None)
    url = office_url("objection", other, objection_pk=objection.pk)
    assert client.get(url).status_code == 404
