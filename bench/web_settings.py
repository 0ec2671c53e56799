"""The production settings, plus one bare page for the web benchmark (bench/web.py)."""

from sanhao.settings import *  # noqa: F403

ROOT_URLCONF = "web_urls"
