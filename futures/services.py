"""Foresight actions that write several rows: copying a national story, publishing it, setting picks."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from futures.models import (
    Driver,
    FuturesTable,
    FutureStory,
    IncompatiblePair,
    Megatrend,
    Milestone,
    StoryDriver,
    Variable,
    VariableValue,
)
from organisations.models import Organisation


class StoryError(Exception):
    """An action on a story that cannot be done, with a message for the user."""


def _own_driver(driver: Driver, organisation: Organisation, by: Any, made: dict[int, Driver]) -> Driver:
    """The organisation's driver of the same name (made once per copy), so copies do not multiply them."""
    if driver.pk in made:
        return made[driver.pk]
    own = Driver.objects.for_organisation(organisation).filter(name__iexact=driver.name).first()
    if own is None:
        own = Driver(
            organisation=organisation,
            name=driver.name,
            description=driver.description,
            megatrend=driver.megatrend,
        )
        own.save_new(by=by)
    made[driver.pk] = own
    return own


def _copy_table(
    table: FuturesTable, organisation: Organisation, by: Any, drivers: dict[int, Driver]
) -> tuple[FuturesTable, dict[int, int]]:
    """A copy of the table in the organisation; returns it and the map original value id -> copy id."""
    copy = FuturesTable(organisation=organisation, name=table.name, description=table.description)
    copy.save_new(by=by)
    values: dict[int, int] = {}
    for variable in table.variables.select_related("driver").prefetch_related("values"):
        driver = _own_driver(variable.driver, organisation, by, drivers) if variable.driver else None
        new_variable = Variable.objects.create(
            table=copy, name=variable.name, driver=driver, order=variable.order
        )
        for value in variable.values.all():
            values[value.pk] = VariableValue.objects.create(
                variable=new_variable, label=value.label, order=value.order
            ).pk
    for pair in table.incompatible_pairs.all():
        if pair.first_id in values and pair.second_id in values:
            IncompatiblePair.objects.create(
                table=copy,
                first_id=values[pair.first_id],
                second_id=values[pair.second_id],
                reason=pair.reason,
            )
    return copy, values


def _earlier_copy_of_table(table: FuturesTable, organisation: Organisation) -> FuturesTable | None:
    """The organisation's table copied from `table` for an earlier story, so stories of one national
    table land in one table of the organisation (and its coverage view shows them together)."""
    earlier = (
        FutureStory.objects.for_organisation(organisation)
        .filter(copied_from__futures_table=table, futures_table__isnull=False)
        .select_related("futures_table")
        .order_by("pk")
        .first()
    )
    return earlier.futures_table if earlier else None


def _map_by_labels(original: FuturesTable, copy: FuturesTable) -> dict[int, int]:
    """Original value id -> the copy's value id, matched by variable name and value label."""
    theirs = {
        (v.variable.name.casefold(), v.label.casefold()): v.pk
        for v in VariableValue.objects.filter(variable__table=copy).select_related("variable")
    }
    return {
        v.pk: theirs[key]
        for v in VariableValue.objects.filter(variable__table=original).select_related("variable")
        if (key := (v.variable.name.casefold(), v.label.casefold())) in theirs
    }


@transaction.atomic
def copy_national_story(
    *, story: FutureStory, organisation: Organisation, by: Any, with_table: bool = True
) -> FutureStory:
    """Copy a published national story into an organisation, to adapt there.

    Everything is copied into rows of the organisation: the drivers become its own drivers (one of the
    same name is reused), and with `with_table` the futures table is copied too (or an earlier copy of
    the same table is reused) so that the story's picks can follow it; without the table no picks are
    copied. Milestones keep their year and text but not a goal (the association's goals are not the
    organisation's); signposts and implications point at the association's indicators and goals, so
    they are left for the organisation to add. The copy remembers where it came from in `copied_from`
    and nothing else links it to the original.
    """
    if not story.organisation.is_association or not story.is_published:
        raise StoryError(_("Only published national stories can be copied."))
    if organisation.is_association:
        raise StoryError(_("The association's own stories are the originals; copy into a municipality."))
    copy = FutureStory(
        organisation=organisation,
        title=story.title,
        horizon_year=story.horizon_year,
        kind=story.kind,
        starting_point=story.starting_point,
        narrative=story.narrative,
        wild_cards=story.wild_cards,
        actors=story.actors,
        copied_from=story,
    )
    drivers: dict[int, Driver] = {}
    picks: list[int] = []
    if with_table and story.futures_table is not None:
        table = _earlier_copy_of_table(story.futures_table, organisation)
        if table is not None:
            values = _map_by_labels(story.futures_table, table)
        else:
            table, values = _copy_table(story.futures_table, organisation, by, drivers)
        copy.futures_table = table
        picks = [values[pk] for pk in story.picks.values_list("pk", flat=True) if pk in values]
    copy.save_new(by=by)
    copy.megatrends.set(story.megatrends.all())
    copy.picks.set(picks)
    for story_driver in story.story_drivers.select_related("driver__megatrend"):
        StoryDriver.objects.create(
            story=copy,
            driver=_own_driver(story_driver.driver, organisation, by, drivers),
            assumed_state=story_driver.assumed_state,
        )
    Milestone.objects.bulk_create(
        Milestone(story=copy, year=m.year, must_be_true=m.must_be_true) for m in story.milestones.all()
    )
    return copy


@transaction.atomic
def set_published(*, story: FutureStory, published: bool, expected_version: int, by: Any) -> None:
    """Publish a national story to the library, or take it back (copies already made stay)."""
    if not story.organisation.is_association:
        raise StoryError(_("Only the association's national stories are published in the library."))
    story.published_at = (story.published_at or timezone.now()) if published else None
    story.save_if_current(expected_version=expected_version, by=by)


@transaction.atomic
def set_picks(*, story: FutureStory, value_ids: list[int]) -> None:
    """The values the story picks: only values of its own table count, anything else is dropped."""
    if story.futures_table_id is None:
        story.picks.clear()
        return
    valid = VariableValue.objects.filter(variable__table_id=story.futures_table_id, pk__in=value_ids)
    story.picks.set(valid)


def drop_foreign_picks(story: FutureStory) -> None:
    """After the story changes its table, forget the picks of the old one."""
    story.picks.remove(*story.picks.exclude(variable__table_id=story.futures_table_id))


@transaction.atomic
def set_current_edition(*, edition: int, by: Any) -> int:
    """Make one megatrend edition the current one (the others become archived); return its size."""
    if not Megatrend.objects.filter(edition=edition).exists():
        raise StoryError(_("There are no megatrends of the edition %(edition)s.") % {"edition": edition})
    now = timezone.now()
    bump = {"version": F("version") + 1, "updated_at": now, "updated_by_id": getattr(by, "pk", None)}
    Megatrend.objects.exclude(edition=edition).filter(is_current=True).update(is_current=False, **bump)
    return Megatrend.objects.filter(edition=edition).update(is_current=True, **bump)


def next_order(queryset: Any) -> int:
    return int(queryset.aggregate(top=Max("order"))["top"] or 0) + 1


__all__ = [
    "StoryError",
    "copy_national_story",
    "drop_foreign_picks",
    "next_order",
    "set_current_edition",
    "set_picks",
    "set_published",
]
