"""`{% id_url %}` gives exactly what `{% url %}` gives, under a script prefix too."""

import pytest
from django.template import Context, Template
from django.urls import reverse, set_script_prefix

from sanhao.lib.urltags import id_url_for


@pytest.mark.parametrize("name", ["orgs:person_detail", "orgs:post_edit", "orgs:post_end"])
@pytest.mark.parametrize("pk", [1, 42, 10**12, "7"])
def test_it_matches_reverse(name, pk):
    assert id_url_for(name, pk) == reverse(name, args=[pk])


def test_it_follows_the_script_prefix():
    try:
        set_script_prefix("/sanhao/")
        assert (
            id_url_for("orgs:post_edit", 5)
            == "/sanhao/posts/5/edit/"
            == reverse("orgs:post_edit", args=[5])
        )
    finally:
        set_script_prefix("/")
    assert id_url_for("orgs:post_edit", 5) == "/posts/5/edit/"


def test_it_refuses_what_is_not_an_integer():
    with pytest.raises(ValueError):
        id_url_for("orgs:post_edit", "5/../../admin")


def test_it_is_a_template_builtin():
    html = Template("{% id_url 'orgs:person_detail' pk %}").render(Context({"pk": 3}))
    assert html == "/people/3/"


@pytest.mark.parametrize("code", ["baimi", "town-a", "u_1", "42"])
def test_code_url_matches_reverse(code):
    from sanhao.lib.urltags import code_url_for

    assert code_url_for("orgs:unit_detail", code) == reverse("orgs:unit_detail", args=[code])


@pytest.mark.parametrize("code", ["", "a/b", "../admin", "甲镇", "a b", "x?y=1"])
def test_code_url_refuses_what_is_not_a_code(code):
    from sanhao.lib.urltags import code_url_for

    with pytest.raises(ValueError):
        code_url_for("orgs:unit_detail", code)
