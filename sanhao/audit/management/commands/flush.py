"""`flush` empties every table, the audit log included: it lifts the audit guards for
its own statement and puts them back in the same transaction (the test runner flushes
between transactional tests)."""

import time
from typing import Any

from django.core.management.commands.flush import Command as FlushCommand
from django.db import OperationalError, connections, transaction

from sanhao.audit import guards

# SQLite's shared in-memory test database refuses a schema change while another
# connection (the live server's thread, finishing a browser's last request) still reads:
# "database table is locked". That passes in a moment; the whole flush is tried again.
ATTEMPTS = 50
PAUSE = 0.1


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        for attempt in range(ATTEMPTS):
            try:
                with transaction.atomic(using=connection.alias):
                    guards.remove(connection)
                    super().handle(**options)
                    guards.install(connection)
                return
            except OperationalError as error:
                if "locked" not in str(error) or attempt == ATTEMPTS - 1:
                    raise
                time.sleep(PAUSE)
