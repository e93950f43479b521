"""The base every user-edited model builds on: who and when, and a version for optimistic concurrency."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class StaleEdit(Exception):
    """Raised when a save is based on a version that someone else has already replaced."""

    def __init__(self, current: models.Model | None) -> None:
        super().__init__("the row was changed by someone else")
        self.current = current


def conflict_message() -> str:
    """What the second of two editors of the same version is told (their input stays in the form)."""
    return gettext(
        "Someone else saved a change while you were editing. "
        "Your input is kept below: check it and save again."
    )


class TrackedModel(models.Model):
    """Abstract base: created/updated by/at and a version checked on every edit."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save_new(self, *, by: Any) -> None:
        """Insert the row, recording who created it."""
        user = by if getattr(by, "is_authenticated", False) else None
        self.created_by = self.updated_by = user
        self.created_at = self.updated_at = timezone.now()
        self.version = 1
        self.save(force_insert=True)

    def save_if_current(self, *, expected_version: int, by: Any) -> None:
        """Write every field with one conditional UPDATE; raise StaleEdit if the row moved on.

        The UPDATE's WHERE clause carries the version the editor started from, so of two editors who
        opened the same version only the first one's save matches a row.
        """
        user = by if getattr(by, "is_authenticated", False) else None
        now = timezone.now()
        values: dict[str, Any] = {
            field.attname: getattr(self, field.attname)
            for field in self._meta.concrete_fields
            if not field.primary_key and field.attname not in {"created_at", "created_by_id", "version"}
        }
        values.update(updated_at=now, updated_by_id=getattr(user, "pk", None), version=expected_version + 1)
        manager = type(self)._base_manager
        changed = manager.filter(pk=self.pk, version=expected_version).update(**values)
        if not changed:
            raise StaleEdit(manager.filter(pk=self.pk).first())
        self.version = expected_version + 1
        self.updated_at = now
        self.updated_by = user
