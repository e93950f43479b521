"""The base every user-edited model builds on: who and when, and a version for optimistic concurrency."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Soft-deleted rows are purged (deleted for good) this long after their deletion.
RETENTION = dt.timedelta(days=30)


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


def saved_if_current(form: Any, save: Callable[[int], object] | None = None, *, by: Any = None) -> bool:
    """Save a versioned form's work if the version it was opened at is still current.

    `save(expected_version)` does the saving; by default the form's instance saves itself
    (`TrackedModel.save_if_current`). If someone else saved first, the form gets the conflict message (the
    person's input stays in it) and the answer is False: the view answers 409 with the form.
    """
    expected = form.cleaned_data["version"]
    try:
        if save is None:
            form.instance.save_if_current(expected_version=expected, by=by)
        else:
            save(expected)
    except StaleEdit as conflict:
        form.add_error(None, conflict_message())
        keep_current_version(form, conflict.current)
        return False
    return True


def keep_current_version(form: Any, current: models.Model | None) -> None:
    """After a conflict the form carries the version now saved, so that the next save (after the person
    has checked the message and their input) goes through instead of conflicting again and again."""
    if current is not None:
        form.data = form.data.copy()
        form.data[form.add_prefix("version")] = str(current.version)  # type: ignore[attr-defined]


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


class HidesDeleted:
    """Manager mixin: hide rows that are soft-deleted or belong to a soft-deleted row.

    `alive_paths` names the `deleted_at` columns to check, e.g. `("deleted_at",)` on a soft-deletable model
    and `("indicator__deleted_at",)` on its values. Used as the *default* manager, so related managers
    (`organisation.indicators`, `goal.contributions`) and prefetches hide them too; Django's base manager
    (forward foreign keys, `refresh_from_db`, cascades, `save_if_current`) still sees every row.
    """

    alive_paths: tuple[str, ...] = ("deleted_at",)

    def get_queryset(self) -> Any:
        queryset = super().get_queryset()  # type: ignore[misc]
        return queryset.filter(*(alive_condition(queryset.model, path) for path in self.alive_paths))


def alive_condition(model: type[models.Model], path: str) -> Any:  # a Q or a negated Exists
    """The condition "the row at `path` is not deleted": `deleted_at IS NULL` on the model itself, and for a
    parent (`"indicator__deleted_at"`) "no deleted parent": NOT EXISTS over the parent's deleted rows.

    Written as NOT EXISTS rather than the join `indicator.deleted_at IS NULL` because of what the planner
    does with the join at country scale: it hashed every row of the parent table (13,000 indicators, 10 ms)
    to check the 440 values of one dashboard. The anti-join looks only at the few deleted parents (through
    the `deleted_at` index), and means the same: a row whose parent is not deleted, or that has none.
    """
    if path == "deleted_at":
        return models.Q(deleted_at__isnull=True)
    relation, column = path.split("__")
    if column != "deleted_at":
        raise ValueError(f"alive_paths names deleted_at columns one relation away, not {path!r}")
    field = model._meta.get_field(relation)
    assert isinstance(field, models.ForeignKey)
    parent = field.related_model
    assert not isinstance(parent, str)
    return ~models.Exists(
        parent._base_manager.filter(pk=models.OuterRef(field.attname), deleted_at__isnull=False)
    )


class SoftDeleteModel(models.Model):
    """Abstract: a row users delete is first only marked deleted, and purged after the retention period.

    Concrete models declare `objects` (a manager with `HidesDeleted`, declared first so it is the default
    manager) and `all_objects` (every row, for the recently deleted page, history and the purge).
    """

    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deleted by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def purge_after(self) -> Any:
        """When the purge removes the row for good (None while it is alive)."""
        return self.deleted_at + RETENTION if self.deleted_at else None

    def soft_delete(self, *, by: Any, at: dt.datetime | None = None) -> None:
        """Mark the row deleted (one UPDATE, so the audit history records who and when)."""
        self._mark(deleted_at=at or timezone.now(), by=by)

    def restore(self, *, by: Any) -> None:
        """Undo a soft delete within the retention period."""
        self._mark(deleted_at=None, by=by)

    def _mark(self, *, deleted_at: dt.datetime | None, by: Any) -> None:
        user = by if getattr(by, "is_authenticated", False) else None
        now = timezone.now()
        values: dict[str, Any] = {"deleted_at": deleted_at, "deleted_by": user if deleted_at else None}
        if isinstance(self, TrackedModel):
            # A new version, so an edit form opened before the deletion cannot silently revive the row.
            values.update(version=models.F("version") + 1, updated_at=now, updated_by=user)
        type(self)._base_manager.filter(pk=self.pk).update(**values)
        self.refresh_from_db(fields=[*values])


class EveryRowManager(models.Manager):  # type: ignore[type-arg]
    """`all_objects` of a model whose default manager hides deleted rows: every row, deleted ones too."""
