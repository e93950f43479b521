"""Audit history per object (who changed what, and when) and the registry of what users can delete.

The history is read from django-pghistory's event tables, which database triggers fill on every insert,
update and delete, whatever wrote the row (a form, `QuerySet.update()`, a bulk import). The request's
context (the user and the URL, or the import run) is attached to each event.

Upper apps register their user-edited objects here from `AppConfig.ready()` (this app never imports them):
which rows belong to an organisation, where the object's page is, which rows written under the object
(values, targets, contributions) belong to its history, and for soft-deletable models how they are restored
and purged.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import models
from django.utils import formats
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from organisations.params import parse_id

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from organisations.models import Organisation


@dataclass(frozen=True)
class EventSource:
    """Rows written under an object whose events belong to its history (e.g. an indicator's values)."""

    model: type[models.Model]
    lookup: str  # the column of the event table that holds the object's id, e.g. "indicator_id"
    describe: Callable[[Any], str] | None = None  # names the row an event is about


@dataclass(frozen=True)
class Kind:
    """A user-edited model whose history editors can read, and, when soft-deletable, restore."""

    key: str  # in URLs: /o/<slug>/history/<key>/<pk>/
    model: type[models.Model]
    rows: Callable[[Organisation], models.QuerySet[Any]]  # every row of the organisation, deleted ones too
    url: Callable[[Any], str]  # the object's page
    related: tuple[EventSource, ...] = ()
    soft_delete: bool = False
    # Restore a deleted object; returns a message for the user (raises RestoreRefused to refuse).
    restore: Callable[[Any, Any], None] | None = None
    # Delete purged rows for good (default: QuerySet.delete()); returns the number of objects purged.
    purge: Callable[[models.QuerySet[Any]], int] | None = None
    order: int = 100

    @property
    def label(self) -> str | Promise:
        return self.model._meta.verbose_name or self.key

    @property
    def label_plural(self) -> str | Promise:
        return self.model._meta.verbose_name_plural or self.key


class RestoreRefused(Exception):
    """A deleted object cannot be restored as it is (the message says why and what to do)."""


_kinds: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    _kinds[kind.key] = kind
    return kind


def kinds() -> list[Kind]:
    return sorted(_kinds.values(), key=lambda k: (k.order, k.key))


def kind(key: str) -> Kind | None:
    return _kinds.get(key)


def kind_of(obj: models.Model) -> Kind | None:
    return next((k for k in _kinds.values() if isinstance(obj, k.model)), None)


# --- reading the events ---------------------------------------------------------------------------

# Bookkeeping columns that every edit changes; showing them would bury the real changes.
IGNORED_FIELDS = frozenset(
    {"id", "created_at", "updated_at", "created_by", "updated_by", "version", "deleted_by", "sort_key"}
)
MAX_EVENTS = 500  # per source: the newest ones


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class Entry:
    """One event: when, who, what it was about, what was done, and the fields it changed."""

    when: dt.datetime
    who: str
    what: str
    action: str
    changes: list[Change] = field(default_factory=list)
    imported: bool = False
    sequence: int = 0  # the event's id: orders events of one transaction (they share a time)


def event_model(model: type[models.Model]) -> type[models.Model]:
    """The event table pghistory keeps for `model` (named `<Model>Event` by default)."""
    return apps.get_model(model._meta.app_label, f"{model.__name__}Event")


def context_user_id(event: Any) -> int | None:
    """Who made the change: the user the request or the import recorded, else the row's last editor."""
    context = getattr(event, "pgh_context", None)
    metadata = getattr(context, "metadata", None) or {}
    user = metadata.get("user") if isinstance(metadata, dict) else None
    recorded = parse_id(user)
    return recorded if recorded is not None else getattr(event, "updated_by_id", None)


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if f.name not in IGNORED_FIELDS]


def _display(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        value = value.normalize() if value == value.to_integral() else value
        return formats.number_format(value, use_l10n=True)
    if isinstance(value, dt.datetime | dt.date):
        return str(formats.localize(value, use_l10n=True))
    return Truncator(strip_tags(str(value))).chars(300)


class _Names:
    """str() of the rows foreign keys point at, fetched once per model for all events."""

    def __init__(self, events: Iterable[tuple[type[models.Model], Any]]) -> None:
        from organisations.models import User

        wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        for model, event in events:
            for f in _fields(model):
                if f.is_relation and f.many_to_one and (value := getattr(event, f.attname)) is not None:
                    wanted[f.related_model].add(value)  # type: ignore[index]
            if (user_id := context_user_id(event)) is not None:
                wanted[User].add(user_id)
        self.names: dict[tuple[type[models.Model], Any], str] = {}
        for related, ids in wanted.items():
            # The base manager: deleted rows are still named in the history.
            for pk, row in related._base_manager.in_bulk(list(ids)).items():
                self.names[(related, pk)] = str(row)

    def get(self, model: Any, pk: Any) -> str:
        return self.names.get((model, pk), "") if pk is not None else ""


def _value(f: models.Field[Any, Any], event: Any, names: _Names) -> str:
    value = getattr(event, f.attname)
    if f.is_relation:
        return names.get(f.related_model, value) or _display(value)
    if f.choices:
        value = dict(f.flatchoices).get(value, value)
    return _display(value)


def _action(label: str, changed: set[str], event: Any, previous: Any) -> str:
    if label == "insert":
        return _("created")
    if label == "delete":
        return _("deleted for good")
    if "deleted_at" in changed:
        return _("deleted") if getattr(event, "deleted_at", None) else _("restored")
    return _("changed")


def object_history(obj: models.Model, kind: Kind) -> list[Entry]:
    """The readable history of `obj` and the rows written under it, newest first."""
    from organisations.models import User

    sources = [EventSource(kind.model, "pgh_obj_id"), *kind.related]
    loaded: list[tuple[EventSource, list[Any]]] = []
    for source in sources:
        events = list(
            event_model(source.model)
            .objects.filter(**{source.lookup: obj.pk})  # type: ignore[attr-defined]
            .select_related("pgh_context")
            .order_by("-pgh_id")[:MAX_EVENTS]
        )
        loaded.append((source, events[::-1]))
    names = _Names((source.model, event) for source, events in loaded for event in events)

    entries: list[Entry] = []
    for source, events in loaded:
        fields = _fields(source.model)
        previous: dict[Any, Any] = {}
        for event in events:
            before = previous.get(event.pgh_obj_id)
            previous[event.pgh_obj_id] = event
            label = event.pgh_label
            changes: list[Change] = []
            changed: set[str] = set()
            for f in fields:
                new = getattr(event, f.attname)
                if label == "update" and before is not None:
                    if getattr(before, f.attname) == new:
                        continue
                    changed.add(f.name)
                    if f.name == "deleted_at":
                        continue  # the action says it
                    old_text = _value(f, before, names)
                elif label == "delete" or new in (None, "") or f.name == "deleted_at":
                    continue  # a creation lists what it was created with; a deletion needs no fields
                else:
                    old_text = ""
                changes.append(Change(str(f.verbose_name), old_text, _value(f, event, names)))
            if label == "update" and before is not None and not changed:
                continue  # a save that changed nothing a person would see
            metadata = getattr(event.pgh_context, "metadata", None) or {}
            user_id = context_user_id(event)
            what = source.describe(event) if source.describe else ""
            entries.append(
                Entry(
                    when=event.pgh_created_at,
                    who=names.get(User, user_id),
                    what=what or str(source.model._meta.verbose_name),
                    action=_action(label, changed, event, before),
                    changes=changes,
                    imported="import_run" in metadata,
                    sequence=event.pgh_id,
                )
            )
    entries.sort(key=lambda e: (e.when, e.sequence), reverse=True)
    return entries
