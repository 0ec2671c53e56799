"""No secret reaches the audit log: every admin add and change form is submitted with a
password-like value and the whole log is searched for it (issue 6, item 1)."""

import json

import pytest
from django.contrib import admin
from django.core import checks
from django.urls import reverse

from sanhao.accounts.models import User
from sanhao.audit.models import AuditEntry
from sanhao.audit.services import SecretInAuditData, record
from sanhao.campaigns.models import CampaignYear
from sanhao.conftest import PASSWORD
from sanhao.orgs.models import District, Person, Post, Unit

SECRET = "Wq7-TOP-secret-pw-4821!"


def _log_text() -> str:
    rows = AuditEntry.objects.values_list("data", "object_repr", "actor_name", "action")
    return json.dumps(list(rows), ensure_ascii=False, default=str)


def _forms(world) -> dict[type, list[tuple[str, dict[str, object]]]]:
    """Per admin model: (url, POST data) of its add form and of its change form."""
    unit, person, post = world.a, world.person("A1"), world.posts["A1"]

    def url(model, action, *args):
        return reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args
        )

    return {
        User: [
            (url(User, "add"), {"username": "new-office", "password1": SECRET,
                                "password2": SECRET, "role": "viewer", "usable_password": "true"}),
            (url(User, "change", world.viewer.pk), {
                "username": "viewer", "first_name": "王某", "last_name": "", "email": "",
                "role": "viewer", "is_active": "on", "date_joined_0": "2026-01-01",
                "date_joined_1": "08:00:00"}),
            (reverse("admin:auth_user_password_change", args=[world.viewer.pk]),
             {"password1": SECRET, "password2": SECRET, "usable_password": "true"}),
            (reverse("admin:password_change"),  # the office's own
             {"old_password": PASSWORD, "new_password1": SECRET, "new_password2": SECRET}),
        ],
        District: [
            (url(District, "add"), {"name": "新区"}),
            (url(District, "change", world.district.pk), {"name": "测试区二"}),
        ],
        Unit: [
            (url(Unit, "add"), {"district": world.district.pk, "code": "town-c", "name": "丙镇",
                                "kind": "town", "order": 3}),
            (url(Unit, "change", unit.pk), {"district": world.district.pk, "code": unit.code,
                                            "name": "甲镇新", "kind": "town", "order": 1}),
        ],
        Person: [
            (url(Person, "add"), {"code": "C001", "name": "丙某", "gender": "f"}),
            (url(Person, "change", person.pk), {"code": person.code, "name": "甲镇长新",
                                                "gender": "m"}),
        ],
        Post: [
            (url(Post, "add"), {"person": world.person("B2").pk, "unit": unit.pk,
                                "role": "deputy", "title": "挂职副镇长", "start": "2026-01-01",
                                "order": 9}),
            (url(Post, "change", post.pk), {"person": post.person_id, "unit": unit.pk,
                                            "role": "deputy", "title": "常务副镇长",
                                            "start": "2021-10-01", "order": 1}),
        ],
        CampaignYear: [
            (url(CampaignYear, "change", world.campaign.pk),
             {"district": world.district.pk, "year": 2026, "title": "二〇二六年度"}),
        ],
    }  # fmt: skip


def test_it_submits_every_admin_form_and_finds_no_secret_in_the_log(world):
    forms = _forms(world)
    from sanhao.audit.admin_mixins import AuditedAdmin

    # Every admin that writes: one that adds, or one of ours that changes (a campaign
    # year opens on its own page; its admin only changes the title).
    request = _request(world)
    audited = {m for m, a in admin.site._registry.items()
               if a.has_add_permission(request)
               or (isinstance(a, AuditedAdmin) and a.has_change_permission(request))}  # fmt: skip
    assert audited == set(forms), "a new admin needs its forms in this test"
    client = world.client_for(world.office)
    for submissions in forms.values():
        for url, data in submissions:
            before = AuditEntry.objects.count()
            response = client.post(url, data)
            assert response.status_code == 302, (url, _errors(response))
            assert AuditEntry.objects.count() == before + 1, url
    text = _log_text()
    assert SECRET not in text
    hashes = User.objects.values_list("password", flat=True)
    assert not any(h and h in text for h in hashes)
    newest = AuditEntry.objects.filter(action="admin.user.add").get()
    assert newest.data["fields"]["username"] == "new-office"
    assert newest.data["also_changed"] == ["password1", "password2"]
    assert AuditEntry.objects.filter(action="admin.user.password").count() == 2
    own = AuditEntry.objects.filter(action="admin.user.password").order_by("seq").last()
    assert (own.actor, own.object_id, own.data) == (world.office, str(world.office.pk), {})


def _errors(response):
    context = response.context or {}
    form = context.get("adminform").form if "adminform" in context else context.get("form")
    return form.errors if form is not None else response.status_code


def _request(world):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = world.office
    return request


@pytest.mark.parametrize(
    "data",
    [
        {"password": "x"},
        {"password1": "x"},
        {"changes": {"new_password": "x"}},
        {"rows": [{"api_key": "x"}]},
        {"voter_code": "ABCD"},
        {"token": "x"},
        {"client_secret": "x"},
        {"otp": "123456"},
    ],
)
def test_record_refuses_a_key_that_names_a_secret(db, data):
    with pytest.raises(SecretInAuditData):
        record("test.thing.happen", actor=None, data=data)
    assert AuditEntry.objects.count() == 0


def test_record_keeps_identifiers_named_code(db):
    entry = record("test.thing.happen", actor=None, data={"code": "baimi", "unit": "baimi"})
    assert entry.data == {"code": "baimi", "unit": "baimi"}


def test_every_audited_admin_declares_its_fields():
    assert checks.run_checks(tags=[checks.Tags.security]) == [] or all(
        not e.id.startswith("sanhao.A") for e in checks.run_checks(tags=[checks.Tags.security])
    )
    from sanhao.audit.checks import audited_admins_declare_their_fields

    assert audited_admins_declare_their_fields() == []
    user_admin = admin.site._registry[User]
    saved = user_admin.audit_fields
    try:
        user_admin.audit_fields = (*saved, "password1")
        assert [e.id for e in audited_admins_declare_their_fields()] == ["sanhao.A002"]
        user_admin.audit_fields = ()
        assert [e.id for e in audited_admins_declare_their_fields()] == ["sanhao.A001"]
    finally:
        user_admin.audit_fields = saved


@pytest.mark.parametrize(
    "data",
    [
        {"session_key": "x"},
        {"sessionid": "x"},
        {"Authorization": "Bearer x"},
        {"x-api-key": "x"},
        {"private_key": "x"},
        {"pin": "1234"},
        {"mfa_code": "1"},
        {"new_pass": "x"},
        {"pw": "x"},
        {"salt": "x"},
        {"hash_of_something": "argon2$argon2id$v=19$m=102400,t=2,p=8$abc$def"},
        {"note": "pbkdf2_sha256$870000$salt$hash"},
        {"ratio": 1e16},
        {"rows": [{"share": 0.5}]},
    ],
)
def test_record_refuses_more_secrets_and_floats(db, data):
    with pytest.raises(SecretInAuditData):
        record("test.thing.happen", actor=None, data=data)


@pytest.mark.parametrize("key", ["mapping", "shipping", "pinyin", "bypass", "option", "position"])
def test_record_keeps_ordinary_words(db, key):
    assert record("test.thing.happen", actor=None, data={key: "x"}).data == {key: "x"}
