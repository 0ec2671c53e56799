"""Who may open which page: every view, every role, and a walk over every URL."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROLES = ["office", "liaison_a", "judge", "viewer"]
READERS = {"office", "liaison_a", "viewer"}
OFFICE = {"office"}

# view name → (HTTP method, roles allowed, kwargs built from the world's town A)
VIEWS = {
    "home": ("get", set(ROLES), {}),
    "orgs:unit_list": ("get", READERS, {}),
    "orgs:unit_detail": ("get", READERS, {"code": "A"}),
    "orgs:unit_create": ("get", OFFICE, {}),
    "orgs:unit_edit": ("get", OFFICE, {"code": "A"}),
    "orgs:post_create": ("get", OFFICE, {"code": "A"}),
    "orgs:person_list": ("get", READERS, {}),
    "orgs:person_create": ("get", OFFICE, {}),
    "orgs:person_detail": ("get", READERS, {"person_pk": "A"}),
    "orgs:person_edit": ("get", OFFICE, {"person_pk": "A"}),
    "orgs:post_edit": ("get", OFFICE, {"post_pk": "A"}),
    "orgs:post_end": ("get", OFFICE, {"post_pk": "A"}),
    "orgs:roster_import": ("get", OFFICE, {}),
    "orgs:roster_template": ("get", OFFICE, {}),
    "campaigns:advance": ("post", OFFICE, {"pk": "campaign"}),
}
NOT_WALKED = {"accounts:login", "accounts:logout", "set_language"}


def _kwargs(world, spec: dict[str, str], unit: str) -> dict[str, object]:
    team = world.a if unit == "A" else world.b
    post = world.posts[f"{unit}1"]
    values = {
        "code": team.code,
        "person_pk": post.person.pk,
        "post_pk": post.pk,
        "pk": world.campaign.pk,
    }
    return {name: values[name] for name in spec}


def _names(resolver: URLResolver, prefix: str = "") -> dict[str, URLPattern]:
    found: dict[str, URLPattern] = {}
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            space = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            found |= _names(entry, space)
        elif entry.name:
            found[f"{prefix}{entry.name}"] = entry
    return found


def test_it_has_an_access_rule_for_every_view():
    assert set(_names(get_resolver())) - NOT_WALKED == set(VIEWS)


@pytest.mark.parametrize("name", sorted(VIEWS))
@pytest.mark.parametrize("role", ROLES)
def test_it_lets_in_only_the_roles_of_each_view(world, name, role):
    method, allowed, spec = VIEWS[name]
    url = reverse(name, kwargs=_kwargs(world, spec, "A"))
    response = getattr(world.client_for(getattr(world, role)), method)(url)
    if role in allowed:
        assert response.status_code in (200, 302), (name, role, response.status_code)
        if response.status_code == 302:
            assert "/login/" not in response["Location"]
    else:
        assert response.status_code in (403, 404), (name, role, response.status_code)


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_it_sends_anonymous_visitors_to_the_login(db, world, name):
    method, _allowed, spec = VIEWS[name]
    response = getattr(Client(), method)(reverse(name, kwargs=_kwargs(world, spec, "A")))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_never_shows_another_unit_to_a_liaison_on_any_url(world):
    """Every URL pattern, filled with town B's objects, as the liaison of town A."""
    client = world.client_for(world.liaison_a)
    secrets = [world.b.name, *(p.person.name for k, p in world.posts.items() if k[0] == "B")]
    walked = 0
    for name, pattern in _names(get_resolver()).items():
        if name in NOT_WALKED:
            continue
        names = list(pattern.pattern.converters)
        unknown = set(names) - {"code", "person_pk", "post_pk", "pk"}
        assert not unknown, f"teach this test the URL parameter(s) {unknown} of {name}"
        url = reverse(name, kwargs=_kwargs(world, dict.fromkeys(names, ""), "B"))
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            walked += 1
            if response.status_code in (403, 404, 405):
                continue
            assert response.status_code in (200, 302), (method, url, response.status_code)
            body = response.content.decode()
            leaked = [s for s in secrets if s in body]
            assert not leaked, f"{method.upper()} {url} shows {leaked} to the liaison of A"
    assert walked >= 2 * len(VIEWS)


def test_it_refuses_the_admin_to_everyone_but_the_office(world):
    for role in ("liaison_a", "judge", "viewer"):
        response = world.client_for(getattr(world, role)).get("/admin/orgs/unit/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert world.client_for(world.office).get("/admin/orgs/unit/").status_code == 200


def test_it_sends_anyone_asking_for_favicon_ico_to_the_icon(db):
    response = Client().get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/sanhao/favicon.svg"
