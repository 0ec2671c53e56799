"""The settings with the test database in a file (test_exactly_once's SQLite case): the
site's SQLite options (WAL, BEGIN IMMEDIATE, busy_timeout), not the shared in-memory
database the suite uses."""

import os

from sanhao.settings import *  # noqa: F403
from sanhao.settings import DATABASES

DATABASES["default"]["TEST"] = {"NAME": os.environ["BALLOTS_SQLITE_RACE_FILE"]}
