from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeviationsConfig(AppConfig):
    name = "sanhao.deviations"
    verbose_name = _("Deviations")
