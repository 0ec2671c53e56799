from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "sanhao.awards"
    verbose_name = _("From scores to awards")
