from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo world: seeds every app with a fictional district (`manage.py seed_demo`)."""

    name = "sanhao.demo"
    verbose_name = _("Demo world")
