"""The cheaper read paths of the national comparison and the indicator list give what the model
instances and per-template subqueries gave (they are measured in docs/performance.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from indicators import national
from indicators.models import Indicator, IndicatorTemplate, Observation, Target
from indicators.rows import plain_rows
from indicators.views import indicator_rows
from organisations.collation import finnish_key
from organisations.models import Organisation, Region
from tests.factories import make_organisation
from tests.indicators.indicator_factories import add_values, make_indicator, make_template

pytestmark = pytest.mark.django_db


def _subquery_counts() -> dict[int, tuple[int, int]]:
    """The counts as the view read them before: distinct organisations in a subquery per template."""

    def adopters(condition: Q) -> Coalesce:
        counted = (
            Indicator.objects.filter(condition, template=OuterRef("pk"))
            .order_by()
            .values("template")
            .annotate(n=Count("organisation", distinct=True))
            .values("n")
        )
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    rows = (
        IndicatorTemplate.objects.published()
        .annotate(a=adopters(Q()), s=adopters(Q(organisation__shares_indicator_data=True)))
        .values_list("pk", "a", "s")
    )
    return {pk: (a, s) for pk, a, s in rows}


def test_adoption_counts_equal_distinct_organisations_per_template() -> None:
    region = Region.objects.create(code="99", name_fi="Testimaakunta")
    sharing = [
        make_organisation(shares_indicator_data=True, region=region, population=1000) for _ in range(3)
    ]
    private = [make_organisation(shares_indicator_data=False) for _ in range(2)]
    popular, rare, unadopted = make_template(), make_template(), make_template()
    for organisation in [*sharing, *private]:
        make_indicator(organisation=organisation, template=popular)
    make_indicator(organisation=private[0], template=rare)
    deleted = make_indicator(organisation=sharing[0], template=rare)
    Indicator.all_objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    make_indicator(organisation=sharing[1])  # an own indicator, no template

    counts = national.adoption_counts()
    expected = _subquery_counts()
    infos = {info.code: info for info in national.template_infos(national.national_templates(), counts)}
    for template in (popular, rare, unadopted):
        info = infos[template.code]
        assert (info.adoption_count, info.sharing_count) == expected[template.pk]
    assert (infos[popular.code].adoption_count, infos[popular.code].sharing_count) == (5, 3)
    assert (infos[rare.code].adoption_count, infos[rare.code].sharing_count) == (1, 0)
    assert (infos[unadopted.code].adoption_count, infos[unadopted.code].sharing_count) == (0, 0)


def test_sharing_members_equal_members_of_the_organisations() -> None:
    region = Region.objects.create(code="98", name_fi="Pohjola", name_sv="Norden")
    make_organisation(name="Öljylä", shares_indicator_data=True, region=region, population=500)
    make_organisation(name="Aakkosla", name_sv="Alfabet", shares_indicator_data=True, population=None)
    make_organisation(name="Piilola", shares_indicator_data=False, region=region)
    make_organisation(name="Demola", shares_indicator_data=True, is_demo=True, region=region)
    expected = sorted(
        (
            national.Member.of(organisation)
            for organisation in Organisation.objects.filter(shares_indicator_data=True).select_related(
                "region"
            )
        ),
        key=lambda member: finnish_key(str(member.name)),
    )
    assert national.sharing_members() == expected
    assert [m.name.text for m in expected] == ["Aakkosla", "Demola", "Öljylä"]


def test_the_list_rows_assess_as_the_prefetched_models() -> None:
    organisation = make_organisation()
    indicators = []
    for n in range(4):
        indicator = make_indicator(organisation=organisation, baseline=(2015, 10 + n))
        add_values(indicator, {2018: "12", 2020: None, 2022: str(14 + n)})
        Target.objects.create(indicator=indicator, period=dt.date(2030, 1, 1), value=20 + n)
        indicators.append(indicator)
    Target.objects.create(
        indicator=indicators[0], period=dt.date(2028, 1, 1), value=99, superseded_at=timezone.now()
    )
    today = dt.date(2026, 6, 1)
    prefetched = list(
        Indicator.objects.filter(organisation=organisation).prefetch_related(
            Prefetch("observations", queryset=Observation.objects.order_by("period")),
            Prefetch("targets", queryset=Target.objects.filter(superseded_at__isnull=True)),
        )
    )
    before = indicator_rows(prefetched, today)
    after = indicator_rows(prefetched, today, rows=plain_rows(i.pk for i in prefetched))
    assert [row.indicator.pk for row in after] == [row.indicator.pk for row in before]
    for old, new in zip(before, after, strict=True):
        assert new.state.status == old.state.status
        assert new.state.progress_percent == old.state.progress_percent
        assert new.state.assessment == old.state.assessment
        assert old.state.latest is not None and new.state.latest is not None
        assert (new.state.latest.period, new.state.latest.value, new.state.latest.status) == (
            old.state.latest.period,
            old.state.latest.value,
            old.state.latest.status,
        )
        assert old.state.target is not None and new.state.target is not None
        assert (new.state.target.period, new.state.target.value) == (
            old.state.target.period,
            old.state.target.value,
        )
