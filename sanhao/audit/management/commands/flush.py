"""`flush` empties every table, the audit log included: it lifts the audit guards for
its own statement and puts them back in the same transaction (the test runner flushes
between transactional tests)."""

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections, transaction

from sanhao.audit import guards


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        with transaction.atomic(using=connection.alias):
            guards.remove(connection)
            super().handle(**options)
            guards.install(connection)
