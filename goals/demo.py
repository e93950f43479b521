"""The demo's strategy: Kaarnala 2030 (DOMAIN.md 9.2), approved 11/2021 and revised for 2025-2029 in
10/2025 by carrying its goals over. All invented.

Each goal is linked to the Kaarnala indicators of indicators/demo.py that exist when this runs (run that
first); two goals are deliberately weak, so the quality checklist has something to say. Running it again
changes nothing that is already in place, and links indicators that have appeared since.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from goals.models import Goal, GoalIndicator, Strategy
from goals.services import create_goal, link_indicator
from goals.tree import carry_over
from indicators.demo import KAARNALA, DemoIndicator
from indicators.models import Indicator, SdgTarget
from organisations.models import Organisation, User

NAME = "Kaarnala 2030 – avoin, osaava, kestävä"
VISION = "Kaarnala on elinvoimainen, kansainvälisesti verkottunut kasvukaupunki."
IMPACT = "impact"  # the key of the impact goal (it has no code)


@dataclass(frozen=True)
class DemoGoal:
    key: str  # the code, or IMPACT
    parent: str | None
    title: str
    owner: str | None  # a demo username
    target_year: int | None  # the goal's deadline in the 2021-2025 strategy (31 December)
    revised_year: int | None  # and in the 2025-2029 revision
    indicators: tuple[str, ...]  # keys of indicators/demo.py (I1 … I15)
    sdg: tuple[str, ...] = ()
    description: str = ""


GOALS: list[DemoGoal] = [
    DemoGoal(
        IMPACT, None,
        "Kaarnala on elinvoimainen, kansainvälisesti verkottunut kasvukaupunki, jossa työ, osaaminen ja "
        "hyvinvointi lisääntyvät kestävästi",
        "kaarnala-admin", 2025, 2030, ("I3", "I1", "I15"), ("8.5", "11.a"),
        "Vaikuttavuustavoite: laaja yhteiskunnallinen kehitys, jota strategialla tavoitellaan.",
    ),
    DemoGoal("SG1", IMPACT, "Elinkeinoelämä on elinvoimaista ja uudistuvaa",
             "kaarnala-admin", 2025, 2029, ("I9", "I14", "I8"), ("8.2", "9.2")),
    DemoGoal("1.1", "SG1", "Paikallisten yritysten kansainvälistyminen ja vienti kasvavat",
             "kaarnala-editor", 2025, 2029, ("I14",), ("17.11",)),
    DemoGoal("1.2", "SG1", "Alueelle syntyy uusia investointeja ja työpaikkoja "
             "(+300 nettotyöpaikkaa vuodessa)",
             "kaarnala-admin", 2025, 2029, ("I9",), ("8.3",)),
    DemoGoal("SG2", IMPACT, "Osaajat löytävät Kaarnalan ja jäävät",
             "kaarnala-editor", 2025, 2029, ("I4", "I5"), ("8.5",)),
    DemoGoal("2.1", "SG2", "Kansainväliset valmistuneet työllistyvät alueelle",
             "kaarnala-editor", 2025, 2029, ("I5", "I5b"), ("4.4",)),
    DemoGoal("2.2", "SG2", "Vieraskielisten työllisyys nousee ja keskeiset palvelut ovat saatavilla "
             "englanniksi",
             "kaarnala-editor", 2025, 2029, ("I3", "I2"), ("8.5", "10.2")),
    # Deliberately weak: worded as an activity, no owner, no deadline, no indicator.
    DemoGoal("2.3", "SG2", "Järjestetään kansainväliset rekrytointimessut", None, None, None, ()),
    DemoGoal("SG3", IMPACT, "Hiilineutraali Kaarnala 2035",
             "kaarnala-admin", 2025, 2029, ("I12",), ("13.2",)),
    DemoGoal("3.1", "SG3", "Asukaskohtaiset kasvihuonekaasupäästöt puolittuvat vuoteen 2030 mennessä "
             "(vertailuvuosi 2019)",
             "kaarnala-admin", 2025, 2030, ("I12",), ("13.2", "11.6")),
    DemoGoal("3.2", "SG3", "Kiertotalouden ratkaisut yleistyvät satamassa ja teollisuudessa",
             "kaarnala-editor", 2025, 2029, ("I7",), ("12.5",)),
    DemoGoal("SG4", IMPACT, "Terve, osallistava ja avoin yhteisö",
             "kaarnala-viewer", 2025, 2029, ("I13",), ("10.2",)),
    DemoGoal("4.1", "SG4", "Lapset ja nuoret saavat kansainvälistä osaamista",
             "kaarnala-viewer", 2025, 2029, ("I11",), ("4.7",)),
    DemoGoal("4.2", "SG4", "Kaikentaustaiset asukkaat kokevat olevansa tervetulleita",
             "kaarnala-viewer", 2025, 2029, ("I13",), ("10.2", "16.7")),
    DemoGoal("SG5", IMPACT, "Kansainvälinen toiminta on johdettua ja vaikuttavaa",
             "kaarnala-admin", 2025, 2029, ("I10", "I7b"), ("17.17",)),
    DemoGoal("5.1", "SG5", "Jokaisella kumppanuudella on yhteinen toimintasuunnitelma",
             "kaarnala-editor", 2025, 2029, ("I10",), ("17.17",)),
    DemoGoal("5.2", "SG5", "EU-rahoitus on linjassa strategian kanssa (vähintään 85 % hankkeista "
             "kytketty tavoitteisiin)",
             "kaarnala-editor", 2025, 2029, ("I7b", "I6"), ("17.3",)),
    # Deliberately weak: an activity again, and without a deadline (measured only by an output count).
    DemoGoal("5.3", "SG5", "Osallistutaan aktiivisesti kansainvälisiin verkostoihin",
             "kaarnala-editor", None, None, ("I7",)),
]  # fmt: skip


def _december(year: int | None) -> dt.date | None:
    return dt.date(year, 12, 31) if year else None


def _indicators(organisation: Organisation) -> dict[str, Indicator]:
    """Kaarnala's demo indicators by their key in DOMAIN.md 9.4, as far as they exist."""
    rows: dict[str, DemoIndicator] = {row.key: row for row in KAARNALA}
    found: dict[str, Indicator] = {}
    own = Indicator.objects.for_organisation(organisation)
    for key, row in rows.items():
        indicator = (own.filter(template__code=row.template).first() if row.template else None) or own.filter(
            name_fi=row.name_fi
        ).first()
        if indicator is not None:
            found[key] = indicator
    return found


def _strategy(organisation: Organisation, term_start: int) -> Strategy | None:
    return Strategy.objects.filter(organisation=organisation, name=NAME, term_start=term_start).first()


def _build_first(organisation: Organisation, users: dict[str, User], by: Any) -> Strategy:
    strategy = Strategy(
        organisation=organisation,
        name=NAME,
        term_start=2021,
        term_end=2025,
        vision=VISION,
        status=Strategy.Status.APPROVED,
        approved_on=dt.date(2021, 11, 15),
    )
    strategy.save_new(by=by)
    goals: dict[str, Goal] = {}
    for demo in GOALS:
        goals[demo.key] = create_goal(
            strategy=strategy,
            parent=goals[demo.parent] if demo.parent else None,
            code="" if demo.key == IMPACT else demo.key,
            title=demo.title,
            description=demo.description,
            owner=users.get(demo.owner or ""),
            target_date=_december(demo.target_year),
            sdg_targets=SdgTarget.objects.filter(code__in=demo.sdg),
            by=by,
        )
    return strategy


def _revise(first: Strategy, by: Any) -> Strategy:
    """The 2025-2029 revision: every goal carried over, approved 10/2025 with the new deadlines."""
    revision = carry_over(strategy=first, name=NAME, term_start=2025, term_end=2029, by=by)
    Strategy.objects.filter(pk=revision.pk).update(
        status=Strategy.Status.APPROVED,
        approved_on=dt.date(2025, 10, 27),
        vision=VISION + " Kansainvälinen toiminta on keino, ei itseisarvo.",
    )
    deadlines = {demo.key: _december(demo.revised_year) for demo in GOALS}
    for goal in revision.goals.all():
        Goal.objects.filter(pk=goal.pk).update(target_date=deadlines.get(goal.code or IMPACT))
    revision.refresh_from_db()
    return revision


def _link(strategy: Strategy, indicators: dict[str, Indicator], by: Any) -> int:
    """Link every goal to its demo indicators that exist (idempotent); return the number of new links."""
    created = 0
    wanted = {demo.key: demo.indicators for demo in GOALS}
    for goal in strategy.goals.all():
        for key in wanted.get(goal.code or IMPACT, ()):
            if key in indicators:
                created += link_indicator(goal=goal, indicator=indicators[key], by=by)
    return created


@transaction.atomic
def load_demo_goals() -> dict[str, int]:
    """Kaarnala's two strategies with their goal trees; returns counts of what is in place."""
    organisation = Organisation.objects.filter(slug="kaarnala").first()
    if organisation is None:
        return {"strategies": 0, "goals": 0, "links": 0}
    users = {u.username: u for u in User.objects.filter(username__startswith="kaarnala-")}
    by = users.get("kaarnala-editor")
    indicators = _indicators(organisation)

    first = _strategy(organisation, 2021)
    if first is None:
        first = _build_first(organisation, users, by)
        _link(first, indicators, by)  # before the carry-over, so the revision inherits the links
    revision = _strategy(organisation, 2025)
    if revision is None:
        revision = _revise(first, by)
    _link(first, indicators, by)
    _link(revision, indicators, by)
    strategies = [first, revision]
    return {
        "strategies": len(strategies),
        "goals": Goal.objects.filter(strategy__in=strategies).count(),
        "links": GoalIndicator.objects.filter(goal__strategy__in=strategies).count(),
    }
