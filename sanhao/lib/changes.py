"""Apply field changes to a model instance and report them, for audit entries."""

from typing import Any

from django.db import models


def apply_changes(obj: models.Model, fields: dict[str, Any]) -> dict[str, list[Any]]:
    """Set `fields` on `obj`; return {field: [old, new]} for those that changed."""
    changed: dict[str, list[Any]] = {}
    for name, new in fields.items():
        old = getattr(obj, name)
        if old != new:
            changed[name] = [old, new]
            setattr(obj, name, new)
    return changed
