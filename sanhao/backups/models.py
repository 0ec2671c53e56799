"""The backups taken by `manage.py backup`: one row per backup that completed.

The row is written after the dump, so a backup never holds its own row; a backup folder
removed by the retention keeps its row, the history of what was taken when.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Backup(models.Model):
    class Vendor(models.TextChoices):
        POSTGRESQL = "postgresql", "PostgreSQL"
        SQLITE = "sqlite", "SQLite"

    started = models.DateTimeField(_("started"))
    finished = models.DateTimeField(_("finished"))
    path = models.CharField(_("path"), max_length=1000)
    size_bytes = models.BigIntegerField(_("size in bytes"))
    vendor = models.CharField(_("database"), max_length=16, choices=Vendor.choices)
    rows = models.BigIntegerField(_("rows"))
    files = models.PositiveIntegerField(_("files"))
    head_seq = models.BigIntegerField(_("audit chain head sequence"))
    head_hash = models.CharField(_("audit chain head hash"), max_length=64)

    class Meta:
        verbose_name = _("backup")
        verbose_name_plural = _("backups")
        ordering = ["-finished"]

    def __str__(self) -> str:
        return self.path
