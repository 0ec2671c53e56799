from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChecksConfig(AppConfig):
    name = "sanhao.checks"
    verbose_name = _("Spot checks and remedies")
