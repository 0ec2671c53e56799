from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_guards(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from sanhao.audit import guards

    guards.install(connections[using])


class AuditConfig(AppConfig):
    name = "sanhao.audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        # After every migrate: a migration that rebuilt an audit table (SQLite does that
        # for most schema changes) would otherwise leave it unguarded.
        post_migrate.connect(_install_guards, sender=self, dispatch_uid="audit-guards")
        from sanhao.audit import checks  # noqa: F401  (registers the system check)
