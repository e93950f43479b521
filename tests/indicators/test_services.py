"""The writes of an organisation's indicators: adopt, accept or keep a template version, targets, values,
and the demo."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pghistory.models
import pytest
from django.utils import translation

from indicators.demo import KAARNALA, load_demo_indicators
from indicators.models import Indicator, IndicatorTemplate, Observation, Target
from indicators.services import (
    IndicatorError,
    StaleValues,
    TargetReasonRequired,
    ValueEntry,
    accept_template_version,
    adopt_template,
    create_indicator,
    keep_template_version,
    record_values,
    set_target,
)
from organisations.base import StaleEdit
from organisations.demo import load_demo_organisations
from organisations.models import Organisation, Role, User
from tests.factories import make_member, make_organisation, make_user
from tests.indicators.indicator_factories import add_values, make_indicator, make_template, publish_version


def year(y: int) -> dt.date:
    return dt.date(y, 1, 1)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The messages are checked in their English source text, whatever the catalogues hold."""
    with translation.override("en"):
        yield


@pytest.fixture
def org(db: None) -> Organisation:
    return make_organisation(name="Kuusela", slug="kuusela")


@pytest.fixture
def editor(org: Organisation) -> User:
    return make_member(organisation=org, role=Role.EDITOR)


# --- adopting a template ---------------------------------------------------------------------------


def test_adopting_copies_the_published_definition_and_its_version(org: Organisation, editor: User) -> None:
    template = make_template(code="statfin-m411", name_fi="Väkiluku", unit="persons", chain_level="context")
    # A steward's unpublished edit of the working copy is not what organisations adopt.
    IndicatorTemplate.objects.filter(pk=template.pk).update(unit="draft unit")
    template.refresh_from_db()
    indicator = adopt_template(
        template=template,
        organisation=org,
        by=editor,
        baseline_value=Decimal(61840),
        baseline_period=year(2019),
        responsible=editor,
        first_target=(year(2030), Decimal(65000)),
    )
    assert indicator.template == template and indicator.template_version == 1
    assert (indicator.name_fi, indicator.unit, indicator.chain_level) == ("Väkiluku", "persons", "context")
    assert indicator.created_by == editor and indicator.responsible == editor
    assert indicator.targets.get().value == 65000


def test_a_template_is_adopted_once_and_only_when_published(org: Organisation, editor: User) -> None:
    template = make_template()
    adopt_template(template=template, organisation=org, by=editor)
    with pytest.raises(IndicatorError, match="already adopted"):
        adopt_template(template=template, organisation=org, by=editor)
    with pytest.raises(IndicatorError, match="published"):
        adopt_template(template=make_template(published=False), organisation=org, by=editor)


def test_the_responsible_person_must_be_a_member(org: Organisation, editor: User) -> None:
    with pytest.raises(IndicatorError, match="member"):
        adopt_template(template=make_template(), organisation=org, by=editor, responsible=make_user())
    own = Indicator(organisation=org, name_fi="Oma", chain_level="output", responsible=make_user())
    with pytest.raises(IndicatorError, match="member"):
        create_indicator(indicator=own, by=editor)


def test_accepting_a_new_version_copies_its_definition(org: Organisation, editor: User) -> None:
    template = make_template(unit="%", name_fi="Vanha nimi")
    indicator = adopt_template(template=template, organisation=org, by=editor)
    publish_version(template, name_fi="Uusi nimi", data_lag_months=12)
    accept_template_version(indicator=indicator, by=editor)
    indicator.refresh_from_db()
    assert (indicator.name_fi, indicator.data_lag_months, indicator.template_version) == ("Uusi nimi", 12, 2)
    assert indicator.version == 2 and indicator.updated_by == editor


def test_keeping_the_current_version_remembers_which_one_was_kept(org: Organisation, editor: User) -> None:
    template = make_template(name_fi="Vanha nimi")
    indicator = adopt_template(template=template, organisation=org, by=editor)
    publish_version(template, name_fi="Uusi nimi")
    keep_template_version(indicator=indicator, by=editor)
    indicator.refresh_from_db()
    assert (indicator.name_fi, indicator.template_version, indicator.template_version_dismissed) == (
        "Vanha nimi",
        1,
        2,
    )


def test_accepting_from_an_old_page_is_a_conflict(org: Organisation, editor: User) -> None:
    template = make_template()
    indicator = adopt_template(template=template, organisation=org, by=editor)
    publish_version(template, unit="€")
    with pytest.raises(StaleEdit):
        accept_template_version(indicator=indicator, by=editor, expected_version=indicator.version - 1)
    with pytest.raises(IndicatorError):
        accept_template_version(indicator=make_indicator(organisation=org), by=editor)


# --- targets -------------------------------------------------------------------------------------


def test_revising_a_target_keeps_the_old_one_with_the_reason(org: Organisation, editor: User) -> None:
    indicator = make_indicator(organisation=org)
    first = set_target(indicator=indicator, period=year(2030), value=Decimal(70), reason="", by=editor)
    with pytest.raises(TargetReasonRequired):
        set_target(indicator=indicator, period=year(2030), value=Decimal(75), reason="  ", by=editor)
    with pytest.raises(IndicatorError, match="already the target"):
        set_target(indicator=indicator, period=year(2030), value=Decimal(70), reason="same", by=editor)
    second = set_target(
        indicator=indicator, period=year(2030), value=Decimal(75), reason="New council term", by=editor
    )
    first.refresh_from_db()
    assert first.superseded_at is not None and first.value == 70 and first.version == 2
    assert second.superseded_at is None and second.reason == "New council term"
    assert Target.objects.filter(indicator=indicator).count() == 2


# --- values --------------------------------------------------------------------------------------


def test_record_values_inserts_updates_and_skips_the_unchanged(org: Organisation, editor: User) -> None:
    indicator = make_indicator(organisation=org)
    add_values(indicator, {2020: 1, 2021: 2})
    result = record_values(
        indicator_values=[
            ValueEntry(indicator, year(2020), Decimal(1), expected_version=1),  # the same: not written
            ValueEntry(indicator, year(2021), Decimal(3), expected_version=1),
            ValueEntry(indicator, year(2022), Decimal(4), status="preliminary", expected_version=0),
            ValueEntry(indicator, year(2023), None, status="missing", missing_reason="survey not run"),
        ],
        by=editor,
    )
    assert (result.created, result.updated, result.unchanged) == (2, 1, 1)
    values = {o.period.year: o for o in Observation.objects.filter(indicator=indicator)}
    assert values[2020].version == 1
    assert (values[2021].value, values[2021].version, values[2021].updated_by) == (3, 2, editor)
    assert values[2022].status == "preliminary"
    assert values[2023].value is None and values[2023].missing_reason == "survey not run"


def test_record_values_is_all_or_nothing(org: Organisation, editor: User) -> None:
    indicator = make_indicator(organisation=org)
    add_values(indicator, {2021: 2})
    with pytest.raises(StaleValues) as stale:
        record_values(
            indicator_values=[
                ValueEntry(indicator, year(2020), Decimal(1), expected_version=0),
                ValueEntry(indicator, year(2021), Decimal(5), expected_version=0),  # someone saved 2021
            ],
            by=editor,
        )
    assert stale.value.keys == [(indicator.pk, year(2021))]
    assert list(Observation.objects.filter(indicator=indicator).values_list("value", flat=True)) == [2]
    with pytest.raises(IndicatorError, match="why the value is missing"):
        record_values(
            indicator_values=[
                ValueEntry(indicator, year(2019), Decimal(1)),
                ValueEntry(indicator, year(2018), None, status="missing"),
            ],
            by=editor,
        )
    assert Observation.objects.filter(indicator=indicator).count() == 1


def test_every_change_of_a_value_is_in_the_audit_history(org: Organisation, editor: User) -> None:
    indicator = make_indicator(organisation=org)
    record_values(indicator_values=[ValueEntry(indicator, year(2020), Decimal(1))], by=editor)
    record_values(indicator_values=[ValueEntry(indicator, year(2020), Decimal(2))], by=editor)
    observation = Observation.objects.get(indicator=indicator)
    events = pghistory.models.Events.objects.tracks(observation).order_by("pgh_created_at")
    assert [(e.pgh_label, e.pgh_data["value"]) for e in events] == [("insert", 1), ("update", 2)]


# --- the demo ------------------------------------------------------------------------------------


def _demo_snapshot() -> list[tuple[object, ...]]:
    return sorted(
        (o.indicator.name_fi, o.period, o.value, o.status, o.version)
        for o in Observation.objects.select_related("indicator")
    ) + sorted((t.indicator.name_fi, t.period, t.value) for t in Target.objects.select_related("indicator"))


def test_the_demo_has_every_kaarnala_row_and_loads_twice_without_change(db: None) -> None:
    make_organisation(name="Suomen Kuntaliitto", kind=Organisation.Kind.ASSOCIATION, slug="kuntaliitto")
    load_demo_organisations()
    assert load_demo_indicators() == {"kaarnala": 17, "naapurila": 4}
    before = _demo_snapshot()
    load_demo_indicators()
    assert _demo_snapshot() == before

    kaarnala = Indicator.objects.filter(organisation__slug="kaarnala")
    assert kaarnala.count() == len(KAARNALA) == 17
    assert not kaarnala.filter(template__isnull=False).exists()  # no library loaded: all own indicators
    assert all(i.baseline_period == year(2019) for i in kaarnala)
    share = kaarnala.get(name_fi__startswith="Voimassa olevan")  # I10, "2 / 7" … "5 / 5"
    assert share.observations.order_by("period")[0].value == Decimal("28.57")
    assert share.observations.get(period=year(2025)).value == 100
    employment = kaarnala.get(name_fi__startswith="Vieraskielisten 20")  # I3, 2025 preliminary
    assert employment.observations.get(period=year(2025)).status == "preliminary"
    graduates = kaarnala.get(name_fi__startswith="Kansainvälisistä valmistuneista")  # I5: "–" in 2025
    assert not graduates.observations.filter(period=year(2025)).exists()
    foreign = kaarnala.get(name_fi="Vieraskielisten osuus väestöstä")  # I2: context, no targets
    assert foreign.chain_level == "context" and not foreign.targets.exists()


def test_the_demo_adopts_the_library_templates_when_they_exist(db: None) -> None:
    from indicators.library import load_indicator_library

    make_organisation(name="Suomen Kuntaliitto", kind=Organisation.Kind.ASSOCIATION, slug="kuntaliitto")
    load_demo_organisations()
    load_indicator_library()
    load_demo_indicators()
    load_demo_indicators()
    kaarnala = Indicator.objects.filter(organisation__slug="kaarnala")
    adopted = set(kaarnala.filter(template__isnull=False).values_list("template__code", flat=True))
    assert {"statfin-m411", "statfin-m140", "intl-eu-funding", "intl-ghg-emissions-per-resident"} <= adopted
    assert kaarnala.count() == 17
    naapurila = Indicator.objects.filter(organisation__slug="naapurila")
    shared = set(naapurila.values_list("template__code", flat=True)) & adopted
    assert len(shared) == 4
    population = kaarnala.get(template__code="statfin-m411")
    assert population.observations.get(period=year(2025)).value == 63420
    assert population.template is not None
    assert population.template_version == population.template.published_version
