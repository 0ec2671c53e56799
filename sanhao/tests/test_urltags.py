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
