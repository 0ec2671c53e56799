"""Database sessions, read with one hand-written query.

Every signed-in request reads its session row; through the ORM that read cost four
times its execution in Python (0.36 ms against 0.09 ms), on every page. Writing, expiry
and clean-up are Django's own (`django.contrib.sessions.backends.db`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Any:
        model, key = self.model, self.session_key
        if key is None:
            return None
        connection = connections[router.db_for_read(model)]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {model._meta.db_table} "
                "WHERE session_key = %s AND expire_date > %s",
                [key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=key, session_data=row[0])

    def cycle_key(self) -> None:
        """A new key for the same session (at sign-in, at a password change): the
        account's row in UserSession follows it."""
        old = self.session_key
        super().cycle_key()
        if old and old != self.session_key:
            from sanhao.accounts.models import UserSession

            UserSession.objects.filter(session_key=old).update(session_key=self.session_key)
