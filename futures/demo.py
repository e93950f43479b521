"""The demo's foresight (all invented, DOMAIN 9.5): Kaarnala's three future stories with drivers from the
real Sitra megatrends, weak signals, a futures table the stories pick from, signposts on Kaarnala's
indicators, backcasting milestones and implications for its goals; and one national story of the
association, published in the library. Idempotent: a second run changes nothing.

Indicators and goals come from the indicator and goal demos; what is not there is skipped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from futures.models import (
    Driver,
    FuturesTable,
    FutureStory,
    Implication,
    IncompatiblePair,
    Megatrend,
    Milestone,
    Signpost,
    StoryDriver,
    Variable,
    VariableValue,
    WeakSignal,
)
from futures.seed import load_megatrends
from goals.models import Goal, Strategy
from indicators.demo import KAARNALA as DEMO_INDICATORS
from indicators.models import Indicator
from organisations.models import Organisation

# Drivers: name, description, (megatrend edition, number) or None for the organisation's own.
KAARNALA_DRIVERS: list[tuple[str, str, tuple[int, int] | None]] = [
    (
        "Pitkäikäisten yhteiskunta",
        "Väestö ikääntyy ja työikäisiä on vähemmän; osaajia tarvitaan myös ulkomailta.",
        (2026, 1),
    ),
    (
        "Maailmanjärjestyksen murros",
        "Protektionismi, konfliktit ja kiristyvä kilpailu EU-rahoituksesta.",
        (2026, 2),
    ),
    (
        "Ympäristökriisi",
        "Sopeutuminen ja vihreä siirtymä muuttavat sataman ja teollisuuden toimintaa.",
        (2026, 3),
    ),
    (
        "Tekoäly palveluissa",
        "Tekoäly mullistaa palvelut, esimerkiksi reaaliaikainen tulkkaus.",
        (2026, 4),
    ),
    ("Kilpailu digivallasta", "Digitaalinen valta keskittyy ja kiistellään.", (2023, 4)),
    ("Talouden perusta rakoilee", "Kauppakiistat ja rakennemuutos koettelevat teollisuutta.", (2023, 5)),
    (
        "Kansainvälisten osaajien liikkuvuus",
        "Jäävätkö paikallisen kampuksen kansainväliset valmistuneet alueelle?",
        None,
    ),
]

SIGNALS: list[tuple[str, str, str, list[str]]] = [
    (
        "Pohjoismaiset keskisuuret kaupungit yhdistävät EU-edunvalvojiaan",
        "2025-03-12",
        "Yhteinen edunvalvontavirka voisi olla Kaarnalalle tapa päästä mukaan isompiin hankkeisiin.",
        ["Maailmanjärjestyksen murros"],
    ),
    (
        "Reaaliaikainen tekoälytulkkaus kunnan asiakaspalvelussa",
        "2025-05-20",
        "Kielimuuri palveluissa voi madaltua nopeasti, jos tulkkaus yleistyy.",
        ["Tekoäly palveluissa", "Kansainvälisten osaajien liikkuvuus"],
    ),
    (
        "Diasporan osaajat palaavat etätöihin kotiseudulle",
        "2025-08-04",
        "Etätyö voi tuoda osaajia ilman muuttoa työn perässä.",
        ["Kansainvälisten osaajien liikkuvuus", "Pitkäikäisten yhteiskunta"],
    ),
    (
        "Suomen EU-koheesiorahoitus pienenee seuraavalla kaudella",
        "2025-09-15",
        "Hankerahoitusta on vähemmän; strategiaan sidotut hankkeet kilpailevat paremmin.",
        ["Maailmanjärjestyksen murros", "Talouden perusta rakoilee"],
    ),
    (
        "Kansainväliset valmistuneet muuttavat Uudellemaalle",
        "2025-10-02",
        "Noin 70 % vuonna 2020 työllistyneistä kansainvälisistä valmistuneista työskenteli Uudellamaalla: "
        "pitovoima on Kaarnalan heikko kohta.",
        ["Kansainvälisten osaajien liikkuvuus"],
    ),
]

TABLE_NAME = "Kaarnalan kansainvälisen toiminnan tulevaisuustaulukko 2035"
# Variable, driver, values.
VARIABLES: list[tuple[str, str | None, list[str]]] = [
    (
        "Kansainvälisen toiminnan johtaminen",
        None,
        ["Salkkuna strategian tavoitteisiin sidottu", "Hankekohtainen ja irrallinen"],
    ),
    (
        "Osaajien pitovoima",
        "Kansainvälisten osaajien liikkuvuus",
        ["Kansainväliset valmistuneet jäävät alueelle", "Valmistuneet muuttavat Uudellemaalle"],
    ),
    (
        "EU-rahoitus",
        "Maailmanjärjestyksen murros",
        ["Kasvaa ja kohdistuu strategiaan", "Supistuu", "Rajaton: kaikki tarvittavat resurssit"],
    ),
    (
        "Tekoäly palveluissa",
        "Tekoäly palveluissa",
        ["Tekoälytulkkaus arkea kaikissa palveluissa", "Kielimuuri säilyy"],
    ),
]
INCOMPATIBLE = (
    ("Osaajien pitovoima", "Kansainväliset valmistuneet jäävät alueelle"),
    ("Tekoäly palveluissa", "Kielimuuri säilyy"),
    "Ilman englanninkielisiä palveluja kansainväliset valmistuneet eivät jää alueelle.",
)


@dataclass(frozen=True)
class StorySpec:
    title: str
    horizon_year: int
    kind: str
    starting_point: int | None
    megatrends: list[tuple[int, int]]
    drivers: list[tuple[str, str]]
    picks: list[str]
    narrative: str
    wild_cards: str
    actors: str
    # (indicator key, comparison, threshold, note)
    signposts: list[tuple[str, str, str, str]]
    # (year, what must be true, goal code)
    milestones: list[tuple[int, str, str]]
    # goal code -> (kind, strength, action)
    implications: dict[str, tuple[str, int, str]]


STORIES = [
    StorySpec(
        title="Verkostojen Kaarnala 2035",
        horizon_year=2035,
        kind=FutureStory.Kind.DESIRABLE,
        starting_point=FutureStory.StartingPoint.NETWORKED,
        megatrends=[(2026, 1), (2026, 4), (2023, 4)],
        drivers=[
            ("Pitkäikäisten yhteiskunta", "Osaajapula ratkaistaan kansainvälisillä valmistuneilla"),
            ("Tekoäly palveluissa", "Tekoälytulkkaus tekee palveluista kieliriippumattomia"),
            ("Kilpailu digivallasta", "Pohjoismainen yhteistyö turvaa kaupunkien digitaalisen osaamisen"),
        ],
        picks=[
            "Salkkuna strategian tavoitteisiin sidottu",
            "Kansainväliset valmistuneet jäävät alueelle",
            "Kasvaa ja kohdistuu strategiaan",
            "Tekoälytulkkaus arkea kaikissa palveluissa",
        ],
        narrative=(
            "<p>On vuosi 2035. Kaarnalan kansainvälistä toimintaa johdetaan <strong>salkkuna</strong>, "
            "joka on sidottu neljään strategiseen tavoitteeseen. Pohjoismais-baltialaiset hanketiimit "
            "ovat pysyviä.</p>"
            "<p>Kolmasosa uusista sosiaali- ja terveysalan sekä teknologia-alan työntekijöistä on "
            "paikallisen kampuksen kansainvälisiä valmistuneita. EUROTOWNS-verkostossa Kaarnala tunnetaan "
            "kiertotaloussataman kokeiluista.</p>"
        ),
        wild_cards="",
        actors=(
            "Kaupunginjohtaja ja kansainvälisten asioiden koordinaattori: salkun omistajat\n"
            "Ammattikorkeakoulu: osaajien kouluttaja ja kumppani\n"
            "Satamayhtiö: kiertotalouskokeilujen vetäjä"
        ),
        signposts=[
            ("I3", "above", "65", "Vieraskielisten työllisyysaste nousee koko väestön tasolle"),
            ("I5b", "above", "55", "Kansainväliset valmistuneet jäävät alueelle"),
            ("I7b", "above", "95", "Lähes kaikki hankkeet on sidottu strategiaan"),
        ],
        milestones=[
            (2027, "Kaikilla kumppanuuksilla on yhteinen toimintasuunnitelma.", "5.1"),
            (2029, "Englanninkieliset palvelut ovat saatavilla jokaisella toimialalla.", "2.2"),
            (2031, "Yhteinen pohjoismainen edunvalvontatoimisto toimii.", "5.2"),
        ],
        implications={
            "SG1": ("opportunity", 2, "Hyödynnä verkostot yritysten kansainvälistymisessä ja sijoituksissa."),
            "SG2": ("opportunity", 3, "Investoi kieliriippumattomiin palveluihin."),
            "SG3": ("opportunity", 2, "Vie kiertotaloussataman kokeilut pysyviksi ratkaisuiksi."),
            "SG4": (
                "opportunity",
                2,
                "Laajenna nuorten kansainvälistä liikkuvuutta kumppanikaupunkien kanssa.",
            ),
            "SG5": (
                "opportunity",
                3,
                "Tee kumppanuuksien toimintasuunnitelmista pakollisia; rahoita yhteinen EU-edunvalvoja.",
            ),
        },
    ),
    StorySpec(
        title="Saarikaupunki 2035",
        horizon_year=2035,
        kind=FutureStory.Kind.UNDESIRABLE,
        starting_point=FutureStory.StartingPoint.SCATTERED,
        megatrends=[(2026, 2), (2026, 3), (2023, 5)],
        drivers=[
            ("Maailmanjärjestyksen murros", "Protektionismi ja konfliktit supistavat yhteistyötä"),
            ("Ympäristökriisi", "Sopeutumisen kustannukset kasvavat"),
            ("Talouden perusta rakoilee", "Kauppakiista sulkee suurimman teollisuustyönantajan"),
        ],
        picks=[
            "Hankekohtainen ja irrallinen",
            "Valmistuneet muuttavat Uudellemaalle",
            "Supistuu",
            "Kielimuuri säilyy",
        ],
        narrative=(
            "<p>On vuosi 2035. Hankkeet tulevat ja menevät – <em>hankehumppa</em> jatkuu. Tieto lähtee "
            "hanketyöntekijöiden mukana. Ystävyyskaupungit ovat olemassa vain paperilla.</p>"
            "<p>Johto pitää kansainvälistä toimintaa matkakuluna ja leikkaa sen ensimmäisenä.</p>"
        ),
        wild_cards="Suurimman teollisuustyönantajan sulkeminen kauppakiistan jälkeen",
        actors=(
            "Kaupunginhallitus: leikkaa kansainvälisestä toiminnasta\n"
            "Hanketyöntekijät: lähtevät hankkeiden päättyessä"
        ),
        signposts=[
            ("I6", "below", "10", "EU-rahoitus romahtaa"),
            ("I5b", "below", "40", "Valmistuneet muuttavat pois"),
        ],
        milestones=[],
        implications={
            "SG1": ("threat", 3, "Monipuolista elinkeinorakennetta."),
            "SG2": (
                "threat",
                3,
                "Rakenna tiedon säilyttämisen käytännöt: osaaminen ei saa lähteä hankkeiden mukana.",
            ),
            "SG3": (
                "opportunity",
                1,
                "Ympäristökriisi pakottaa sataman kiertotalousinvestointeihin supistuksista huolimatta.",
            ),
            "SG4": ("threat", 2, "Pidä ystävyyskaupunkien nuorisovaihdot käynnissä pienelläkin budjetilla."),
            "SG5": ("threat", 3, "Säilytä vähimmäisydin kansainvälistä toimintaa."),
        },
    ),
    StorySpec(
        title="Rajaton resurssi 2040",
        horizon_year=2040,
        kind=FutureStory.Kind.THOUGHT_EXPERIMENT,
        starting_point=None,
        megatrends=[(2026, 1), (2026, 2), (2026, 3), (2026, 4)],
        drivers=[
            ("Pitkäikäisten yhteiskunta", "Ei rajoita: osaajia on"),
            ("Maailmanjärjestyksen murros", "Ukrainan jälleenrakennus avaa kumppanuuksia"),
            ("Ympäristökriisi", "Sopeutumisen testialusta Itämerellä"),
            ("Tekoäly palveluissa", "Käytössä kaikkialla"),
        ],
        picks=[
            "Salkkuna strategian tavoitteisiin sidottu",
            "Kansainväliset valmistuneet jäävät alueelle",
            "Rajaton: kaikki tarvittavat resurssit",
            "Tekoälytulkkaus arkea kaikissa palveluissa",
        ],
        narrative=(
            "<p>Mitä jos kaikki tarvittavat resurssit olisivat käytössä? On vuosi 2040. Kaarnala ylläpitää "
            "itämeristä ilmastoon sopeutumisen testialustaa yhdessä ukrainalaisen kumppaninsa "
            "jälleenrakennusviraston ja ruotsalaisen ystävyyskaupunkinsa kanssa.</p>"
            "<p>Kokeilu erottaa <strong>resurssirajoitteiset</strong> tavoitteet (budjettikysymys) "
            "<strong>osaamis- tai johtamisrajoitteisista</strong> (kyvykkyyskysymys).</p>"
        ),
        wild_cards="",
        actors="Ukrainalaisen kumppanikaupungin jälleenrakennusvirasto\nNorrvikin kunta",
        signposts=[],
        milestones=[
            (
                2028,
                "Jokaisesta tavoitteesta tiedetään, rajoittaako sitä raha vai osaaminen ja johtaminen.",
                "SG5",
            ),
        ],
        implications={
            "SG1": ("opportunity", 2, "Tunnista, mitkä vientihankkeet jäävät rahasta kiinni."),
            "SG3": ("opportunity", 3, "Testialusta nopeuttaa hiilineutraaliutta."),
            "SG4": ("opportunity", 2, "Kumppanikaupunkien nuorisoyhteistyö laajenee."),
            "SG5": (
                "threat",
                1,
                "Rahakaan ei riitä, jos johtaminen ei kehity: panosta johtamisen kehittämiseen.",
            ),
        },
    ),
]

# Names to try when the indicator demo's row does not find the indicator (renamed, or made by hand).
INDICATOR_NAMES: dict[str, list[str]] = {
    "I3": [r"vieraskielisten.*työllisyysaste", r"employment rate.*foreign[- ]language"],
    "I5b": [r"kotimaakun", r"home region"],
    "I6": [r"eu[- ]?rahoitus", r"eu funding"],
    "I7b": [r"(linked|tied) to a strategic goal", r"strategi.*hankkeiden|hankkeiden.*strategi"],
}


def _indicator(organisation: Organisation, key: str) -> Indicator | None:
    """Kaarnala's indicator I3, I5b … as the indicator demo made it (adopted from the library template
    when there is one, else its own), or one whose name says the same; None when there is none."""
    indicators = Indicator.objects.for_organisation(organisation)
    row = next((r for r in DEMO_INDICATORS if r.key == key), None)
    if row is not None:
        found = (indicators.filter(template__code=row.template).first() if row.template else None) or (
            indicators.filter(name_fi=row.name_fi).first()
        )
        if found is not None:
            return found
    for pattern in INDICATOR_NAMES.get(key, []):
        matches = list(indicators.filter(Q(name_fi__iregex=pattern) | Q(name_en__iregex=pattern))[:2])
        if len(matches) == 1:  # an ambiguous name (I5 and I5b share words) is no match
            return matches[0]
    return None


def _goals(organisation: Organisation) -> dict[str, Goal]:
    strategy = Strategy.objects.for_organisation(organisation).order_by("-term_start", "-pk").first()
    if strategy is None:
        return {}
    return {goal.code: goal for goal in Goal.objects.filter(strategy=strategy).exclude(code="")}


def _megatrend(edition: int, number: int) -> Megatrend | None:
    return Megatrend.objects.filter(edition=edition, number=number).first()


def _drivers(
    organisation: Organisation, specs: list[tuple[str, str, tuple[int, int] | None]]
) -> dict[str, Driver]:
    drivers = {}
    for name, description, ref in specs:
        driver = Driver.objects.for_organisation(organisation).filter(name=name).first()
        if driver is None:
            driver = Driver(
                organisation=organisation,
                name=name,
                description=description,
                megatrend=_megatrend(*ref) if ref else None,
            )
            driver.save_new(by=None)
        drivers[name] = driver
    return drivers


def _table(
    organisation: Organisation,
    name: str,
    description: str,
    variables: list[tuple[str, str | None, list[str]]],
    drivers: dict[str, Driver],
) -> tuple[FuturesTable, dict[str, VariableValue]]:
    table = FuturesTable.objects.for_organisation(organisation).filter(name=name).first()
    if table is None:
        table = FuturesTable(organisation=organisation, name=name, description=description)
        table.save_new(by=None)
    values: dict[str, VariableValue] = {}
    for order, (variable_name, driver_name, labels) in enumerate(variables, start=1):
        variable, _created = Variable.objects.get_or_create(
            table=table,
            name=variable_name,
            defaults={"order": order, "driver": drivers.get(driver_name or "")},
        )
        for value_order, label in enumerate(labels, start=1):
            value, _created = VariableValue.objects.get_or_create(
                variable=variable, label=label, defaults={"order": value_order}
            )
            values[label] = value
            values[f"{variable_name}|{label}"] = value
    return table, values


def _story(organisation: Organisation, spec: StorySpec, table: FuturesTable | None) -> FutureStory:
    story = FutureStory.objects.for_organisation(organisation).filter(title=spec.title).first()
    if story is None:
        story = FutureStory(
            organisation=organisation,
            title=spec.title,
            horizon_year=spec.horizon_year,
            kind=spec.kind,
            starting_point=spec.starting_point,
            narrative=spec.narrative,
            wild_cards=spec.wild_cards,
            actors=spec.actors,
            futures_table=table,
        )
        story.save_new(by=None)
    return story


def _fill_story(
    story: FutureStory,
    spec: StorySpec,
    drivers: dict[str, Driver],
    values: dict[str, VariableValue],
    goals: dict[str, Goal],
) -> None:
    organisation = story.organisation
    story.megatrends.set([m for ref in spec.megatrends if (m := _megatrend(*ref))])
    if not story.picks.exists():
        story.picks.set([values[label] for label in spec.picks if label in values])
    for name, state in spec.drivers:
        if name in drivers:
            StoryDriver.objects.get_or_create(
                story=story, driver=drivers[name], defaults={"assumed_state": state}
            )
    for key, comparison, threshold, note in spec.signposts:
        indicator = _indicator(organisation, key)
        if indicator is not None:
            Signpost.objects.get_or_create(
                story=story,
                indicator=indicator,
                comparison=comparison,
                defaults={"threshold": Decimal(threshold), "note": note},
            )
    for year, text, code in spec.milestones:
        Milestone.objects.get_or_create(
            story=story, year=year, must_be_true=text, defaults={"goal": goals.get(code)}
        )
    for code, (kind, strength, action) in spec.implications.items():
        goal = goals.get(code)
        if goal is not None and not Implication.objects.filter(story=story, goal=goal).exists():
            Implication(story=story, goal=goal, kind=kind, strength=strength, action=action).save_new(by=None)


def _kaarnala() -> None:
    organisation = Organisation.objects.filter(slug="kaarnala").first()
    if organisation is None:
        return
    drivers = _drivers(organisation, KAARNALA_DRIVERS)
    for text, day, interpretation, driver_names in SIGNALS:
        signal = WeakSignal.objects.for_organisation(organisation).filter(signal=text).first()
        if signal is None:
            signal = WeakSignal(
                organisation=organisation,
                signal=text,
                observed_on=dt.date.fromisoformat(day),
                interpretation=interpretation,
            )
            signal.save_new(by=None)
            signal.drivers.set([drivers[name] for name in driver_names])
    table, values = _table(
        organisation,
        TABLE_NAME,
        "Työpajan 2025 taulukko: neljä muuttujaa ja niiden vaihtoehtoiset arvot.",
        VARIABLES,
        drivers,
    )
    (first_var, first_label), (second_var, second_label), reason = INCOMPATIBLE
    first, second = values[f"{first_var}|{first_label}"], values[f"{second_var}|{second_label}"]
    if first.pk > second.pk:
        first, second = second, first
    IncompatiblePair.objects.get_or_create(
        table=table, first=first, second=second, defaults={"reason": reason}
    )
    goals = _goals(organisation)
    for spec in STORIES:
        story = _story(organisation, spec, table)
        _fill_story(story, spec, drivers, values, goals)


NATIONAL = StorySpec(
    title="Kunnat verkostoina 2040",
    horizon_year=2040,
    kind=FutureStory.Kind.PROBABLE,
    starting_point=FutureStory.StartingPoint.PARTLY_NETWORKED,
    megatrends=[(2026, 1), (2026, 2), (2026, 4)],
    drivers=[
        ("Pitkäikäisten yhteiskunta", "Työikäisten määrä vähenee lähes kaikissa kunnissa"),
        ("Maailmanjärjestyksen murros", "EU-yhteistyön merkitys kasvaa epävarmuuden keskellä"),
        ("Tekoäly mullistaa yhteiskunnan perustaa", "Kieli ei enää estä palveluja eikä yhteistyötä"),
    ],
    picks=["Kunnat toimivat verkostoina", "Kasvaa"],
    narrative=(
        "<p>On vuosi 2040. Suurin osa kunnista tekee kansainvälistä yhteistyötä "
        "<strong>verkostoina</strong>: "
        "pienet kunnat jakavat EU-asiantuntijan ja edunvalvonnan seutukunnan tai maakunnan kanssa.</p>"
        "<p>Kansainvälinen toiminta on osa kuntastrategiaa, ja sen vaikuttavuutta seurataan yhteisillä "
        "mittareilla.</p>"
    ),
    wild_cards="EU:n rahoituskehyksen äkillinen uudistus",
    actors="Kuntaliitto: verkostojen kokoaja\nMaakuntien liitot: EU-edunvalvonnan kumppanit",
    signposts=[],
    milestones=[
        (2030, "Jokaisella maakunnalla on yhteinen EU-edunvalvonnan malli kunnilleen.", ""),
        (2035, "Kansainvälisen toiminnan vaikuttavuutta seurataan kaikissa kunnissa yhteisin mittarein.", ""),
    ],
    implications={},
)
NATIONAL_VARIABLES: list[tuple[str, str | None, list[str]]] = [
    (
        "Kuntien kansainvälisen toiminnan malli",
        None,
        ["Kunnat toimivat verkostoina", "Jokainen kunta yksin", "Vain suuret kaupungit toimivat"],
    ),
    ("EU-rahoitus kunnille", "Maailmanjärjestyksen murros", ["Kasvaa", "Pysyy ennallaan", "Supistuu"]),
]


def _association() -> None:
    association = Organisation.objects.filter(slug="kuntaliitto").first()
    if association is None:
        return
    drivers = _drivers(
        association,
        [
            ("Pitkäikäisten yhteiskunta", "Väestön ikääntyminen kaikkialla Suomessa.", (2026, 1)),
            ("Maailmanjärjestyksen murros", "Epävarma maailma ja EU-yhteistyön merkitys.", (2026, 2)),
            ("Tekoäly mullistaa yhteiskunnan perustaa", "Tekoäly kuntien palveluissa.", (2026, 4)),
        ],
    )
    table, values = _table(
        association,
        "Kuntien kansainvälisen toiminnan tulevaisuustaulukko 2040",
        "Kansallinen taulukko kuntien omien tarinoiden pohjaksi.",
        NATIONAL_VARIABLES,
        drivers,
    )
    story = _story(association, NATIONAL, table)
    _fill_story(story, NATIONAL, drivers, values, {})
    if story.published_at is None:
        FutureStory.objects.filter(pk=story.pk).update(published_at=timezone.now())


@transaction.atomic
def load_demo_futures() -> None:
    """Create (or leave as they are) the demo's foresight rows."""
    load_megatrends()
    _kaarnala()
    _association()
