"""The demo's international activities (all invented, DOMAIN 9.3): Kaarnala's twelve activities A1-A12
with partners, funding, impact chains, contributions to the goals of its strategy, progress reports (some
overdue) and yearly reviews (the Russian twin town paused in 2022), plus a network membership that failed
its review and ended; and a few activities of Naapurila.

Goals and indicators come from the goal and indicator demos: goals are found by code in the
organisation's newest strategy, indicators by their domain id or name; what does not exist is skipped.
Report and review dates are relative to the day of loading, so some reports are always overdue and some
on time. Idempotent: a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from goals.models import Goal, Strategy
from impact.models import (
    Activity,
    ActivitySettings,
    ChainStep,
    Contribution,
    Partner,
    PartnershipReview,
    ProgressReport,
)
from impact.rules import add_months
from indicators.models import Indicator
from organisations.models import Organisation, User

# How to find an indicator of the indicator demo: its domain id (in the note or as the source code),
# else a pattern of its Finnish or English name.
INDICATOR_PATTERNS: dict[str, list[str]] = {
    "I3": [r"vieraskiel.*työllisyys", r"työllisyysaste.*vieraskiel", r"employment rate.*foreign"],
    "I4": [r"kansainväli.*(tutkinto)?opiskelij", r"international degree students"],
    "I5": [r"kansainväli.*valmistun.*suome", r"graduates.*employed in finland"],
    "I6": [r"eu[- ]?rahoitus", r"eu funding"],
    "I7": [
        r"aktiivis.*kansainväli.*hank",
        r"kansainvälis.*hankkeiden (luku)?määrä",
        r"active international projects",
    ],
    "I8": [r"ulkomais.*yöpy", r"foreign overnight"],
    "I9": [r"(fdi|ulkomais.*investointi|investointihank)", r"fdi projects"],
    "I10": [r"toimintasuunnitelm", r"joint action plan"],
    "I11": [r"erasmus"],
    "I12": [r"kasvihuonekaasu", r"päästöt.*asukas", r"greenhouse|ghg"],
    "I13": [r"tervetullu|kaikentaustais", r"welcomes people"],
    "I14": [r"(pk-?yritys|yritykset).*(delegaat|messu)", r"smes in.*(delegation|fair)"],
}


@dataclass(frozen=True)
class Step:
    level: str
    description: str
    indicator: str = ""  # a domain id such as "I12"


@dataclass(frozen=True)
class Link:
    goal: str  # a goal code such as "SG3" or "3.2"
    strength: str
    time_to_impact: str
    rationale: str


@dataclass(frozen=True)
class Report:
    months_ago: int
    status: str
    achieved: str
    next_steps: str = ""
    evidence: str = ""


@dataclass(frozen=True)
class Review:
    months_ago: int
    shared_goals: bool
    joint_action_plan: bool
    decision: str
    reason: str
    last_joint_activity: str = ""
    benefit: str = ""
    cost: str | None = None
    on: dt.date | None = None  # a fixed date instead of months_ago


@dataclass(frozen=True)
class Spec:
    name: str
    kind: str
    status: str
    start: dt.date | None
    end: dt.date | None
    description: str
    programme: str = ""
    total: str | None = None
    own: str | None = None
    external: str | None = None
    participants: int | None = None
    partners: list[tuple[str, str, str]] = field(default_factory=list)  # name, country, role
    steps: list[Step] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)


D = dt.date

KAARNALA: list[Spec] = [
    Spec(
        "CIRCPORT – kiertotalouden satamalogistiikka",
        "eu_project",
        "ongoing",
        D(2023, 1, 1),
        D(2026, 12, 31),
        "Interreg Itämeren alue 2021–2027 -hanke (A1): Kaarnalan Satama ja kuusi itämerellistä satamaa "
        "kokeilevat yhteisiä kiertotalouden logistiikkaratkaisuja sivuvirroille ja konteille.",
        programme="interreg",
        total="420000",
        own="84000",
        external="336000",
        partners=[
            ("Kaarnalan Satama Oy", "FI", "toteuttaja"),
            ("Vilsunds Hamn AB", "SE", "kumppani"),
            ("Pärnuranna Sadam AS", "EE", "kumppani"),
            ("Liepkalna osta", "LV", "kumppani"),
            ("Baltuvos uostas", "LT", "kumppani"),
            ("Port Wolin", "PL", "päätoteuttaja"),
            ("Hafen Sundwik GmbH", "DE", "kumppani"),
        ],
        steps=[
            Step("input", "420 000 € kaupungin osuus, projektipäällikkö ja sataman asiantuntijat"),
            Step("activity", "Kolme kiertotalouden logistiikkapilottia kumppanisatamien kanssa"),
            Step("output", "EU-rahoitusta kaupunkikonsernille", "I6"),
            Step("output", "Käynnissä olevat kansainväliset hankkeet", "I7"),
            Step(
                "outcome",
                "Satamayhtiö ja kaksi teollisuusyritystä ottavat sivuvirtojen kierrätyksen käyttöön",
            ),
            Step("impact", "Asukaskohtaiset kasvihuonekaasupäästöt pienenevät", "I12"),
        ],
        links=[
            Link(
                "3.2",
                "direct",
                "medium",
                "Pilotit tuovat satamaan ja teollisuuteen kiertotalousratkaisuja, joita alavoite 3.2 "
                "tavoittelee.",
            ),
            Link("SG3", "partial", "long", "Satamalogistiikan päästöt ovat osa kaupungin päästöjä."),
        ],
        reports=[
            Report(
                9,
                "some_problems",
                "Kaksi pilottia käynnissä; kolmannen kumppani vaihtui.",
                "Uusi kumppani mukaan.",
            ),
            Report(
                3,
                "on_track",
                "Kaikki kolme pilottia käynnissä, ensimmäiset tulokset raportoitu.",
                "Loppuseminaari Kaarnalassa.",
                "https://example.org/circport/valiraportti",
            ),
        ],
    ),
    Spec(
        "Kaarnala Talent Bridge",
        "eu_project",
        "ended",
        D(2023, 1, 1),
        D(2025, 12, 31),
        "ESF+ (Innovaatiota ja osaamista Suomi 2021–2027) -hanke (A2): kansainväliset opiskelijat ja "
        "vieraskieliset asukkaat työllistymään alueen yrityksiin mentoroinnin ja harjoittelujen avulla.",
        programme="esf",
        total="650000",
        own="130000",
        external="520000",
        participants=420,
        partners=[
            ("Kaarnalan ammattikorkeakoulu", "FI", "osatoteuttaja"),
            ("Kaarnalan kauppakamari", "FI", "osatoteuttaja"),
        ],
        steps=[
            Step("input", "650 000 €, kaksi ohjaajaa ja yritysyhteistyö"),
            Step("activity", "Mentorointi, harjoittelupaikat ja rekrytointitapahtumat"),
            Step("output", "420 osallistujaa, 60 harjoittelua"),
            Step("outcome", "Kansainväliset tutkinto-opiskelijat alueen korkeakouluissa", "I4"),
            Step("impact", "Vieraskielisten työllisyysaste nousee", "I3"),
            Step("impact", "Kansainväliset valmistuneet työllistyvät Suomeen", "I5"),
        ],
        links=[
            Link(
                "2.1",
                "direct",
                "short",
                "Harjoittelut ja mentorointi vievät valmistuneita alueen yrityksiin.",
            ),
            Link("2.2", "partial", "medium", "Osa osallistujista on vieraskielisiä asukkaita."),
        ],
        reports=[
            Report(14, "on_track", "300 osallistujaa, 45 harjoittelua.", "Loppuvuoden rekrytointitapahtuma."),
            Report(
                10,
                "done",
                "Hanke päättyi: 420 osallistujaa, 60 harjoittelua, 38 työsuhdetta.",
                "Toimintamalli siirtyy International Houseen.",
                "https://example.org/talent-bridge/loppuraportti",
            ),
        ],
    ),
    Spec(
        "HEAT-SHIFT – positiivisen energian alue",
        "eu_project",
        "ongoing",
        D(2024, 1, 1),
        D(2027, 12, 31),
        "Horizon Europe -hanke (A3), Kaarnala kumppanina: positiivisen energian alueen demonstraatio "
        "Satamanrannan asuinalueella.",
        programme="horizon",
        total="310000",
        own="93000",
        external="217000",
        partners=[
            ("Stadtwerke Lindenau", "DE", "päätoteuttaja"),
            ("Gemeente Veldhoven-Zuid", "NL", "kumppani"),
            ("Ajuntament de Serralta", "ES", "kumppani"),
            ("Comune di Valdoro", "IT", "kumppani"),
            ("Energieagentur Murtal", "AT", "kumppani"),
            ("Ville de Hautmont-sur-Sambre", "BE", "kumppani"),
            ("Solhavn Kommune", "DK", "kumppani"),
            ("Métropole de Belcourt", "FR", "kumppani"),
            ("Câmara Municipal de Rio Claro", "PT", "kumppani"),
        ],
        steps=[
            Step("input", "310 000 € kaupungin osuus ja energia-asiantuntija"),
            Step("activity", "Energiayhteisön ja lämpöpumppujen demonstraatio"),
            Step("output", "Demonstraatioalue 400 asunnolle"),
            Step("impact", "Asukaskohtaiset kasvihuonekaasupäästöt pienenevät", "I12"),
        ],
        links=[Link("3.1", "direct", "medium", "Alueen energiaratkaisut vähentävät päästöjä suoraan.")],
        reports=[
            Report(8, "some_problems", "Rakentaminen viivästyi puoli vuotta.", "Urakoitsijan aikataulu.")
        ],
    ),
    Spec(
        "Kaarnalan koulujen Erasmus",
        "education",
        "ongoing",
        D(2021, 8, 1),
        D(2027, 7, 31),
        "Erasmus+ KA1 -akkreditointi (A4): 14 koulun oppilas- ja opettajaliikkuvuus, noin 90 000 € vuodessa.",
        programme="erasmus",
        total="540000",
        own="30000",
        external="510000",
        participants=250,
        partners=[
            ("Norrviks skola", "SE", "vastaanottava koulu"),
            ("Liceum Wolin", "PL", "vastaanottava koulu"),
            ("Escola Rio Claro", "PT", "vastaanottava koulu"),
        ],
        steps=[
            Step("input", "Erasmus+-apuraha noin 90 000 €/v ja koordinaattori"),
            Step("activity", "Oppilas- ja opettajavaihdot 14 koulusta"),
            Step("output", "Liikkuvuuksiin osallistuneet oppilaat ja opettajat", "I11"),
            Step("outcome", "Lapset ja nuoret saavat kansainvälistä osaamista ja kielitaitoa"),
        ],
        links=[Link("4.1", "direct", "short", "Vaihdot kasvattavat oppilaiden kansainvälistä osaamista.")],
        reports=[Report(2, "on_track", "250 osallistujaa lukuvuonna, kaikki koulut mukana.")],
    ),
    Spec(
        "Ystävyyskaupunki Norrvik",
        "twin_town",
        "ongoing",
        D(1952, 5, 1),
        None,
        "Ystävyyskaupunki vuodesta 1952 (A5); uudistettu 2023 kiertotalouden ja nuorisoyhteistyön "
        "toimintasuunnitelmalla. Noin 15 000 € vuodessa.",
        total="15000",
        own="15000",
        partners=[("Norrviks kommun", "SE", "ystävyyskaupunki")],
        steps=[
            Step("input", "15 000 €/v ja yhteyshenkilöt"),
            Step("activity", "Nuorisovaihto ja kiertotalouden vertaisoppiminen"),
            Step("output", "Voimassa oleva yhteinen toimintasuunnitelma", "I10"),
        ],
        links=[
            Link("SG3", "enabling", "long", "Vertaisoppiminen Norrvikin kiertotalousratkaisuista."),
            Link("4.1", "partial", "short", "Nuorisovaihto."),
            Link("5.1", "direct", "short", "Kumppanuudella on yhteinen toimintasuunnitelma."),
        ],
        reports=[Report(4, "on_track", "Nuorisovaihto toteutui, kiertotalousseminaari pidetty.")],
        reviews=[
            Review(
                0,
                True,
                True,
                "renew",
                "Uudistettu toimintasuunnitelmalla: yhteiset tavoitteet kiertotaloudessa.",
                "Kiertotalousseminaari",
                "Nuorten vaihto ja kiertotalousratkaisut",
                "15000",
                on=D(2023, 9, 1),
            ),
            Review(
                8,
                True,
                True,
                "keep",
                "Toimintasuunnitelma toteutuu ja hyödyt ovat selvät.",
                "Nuorisovaihto Norrvikissa",
                "Kiertotalousratkaisujen vertaisoppiminen",
                "15000",
            ),
        ],
    ),
    Spec(
        "Ystävyyskaupunki Zelenyi Hai",
        "twin_town",
        "ongoing",
        D(2023, 3, 1),
        None,
        "Kumppanuus vuodesta 2023 (A6, kuvitteellinen ukrainalainen kaupunki): nuorisovaltuustot, "
        "varautuminen ja tarvikeapu. 25 000 € vuodessa sekä lahjoitukset.",
        total="25000",
        own="25000",
        partners=[
            ("Zelenyi Hai city council", "UA", "ystävyyskaupunki"),
            ("Kaarnalan Ukraina-seura ry", "FI", "järjestökumppani"),
        ],
        steps=[
            Step("input", "25 000 €/v, lahjoitukset ja vapaaehtoiset"),
            Step("activity", "Nuorisovaltuustojen yhteistyö ja varautumisen vertaisoppiminen"),
            Step("output", "Voimassa oleva yhteinen toimintasuunnitelma", "I10"),
            Step("outcome", "Asukkaat kokevat Kaarnalan avoimeksi kaikentaustaisille", "I13"),
        ],
        links=[
            Link("4.2", "partial", "medium", "Ukrainalaistaustaiset asukkaat osallistuvat yhteistyöhön."),
            Link("5.1", "direct", "short", "Yhteinen toimintasuunnitelma laadittu 2024."),
        ],
        reports=[
            Report(
                10,
                "serious_problems",
                "Sodan vuoksi vierailut peruttiin; tarvikeapu toimitettiin.",
                "Etäyhteistyö nuorisovaltuustojen kesken.",
            )
        ],
        reviews=[
            Review(
                13,
                True,
                True,
                "keep",
                "Yhteiset tavoitteet nuorisossa ja varautumisessa.",
                "Tarvikeapu",
                "Varautumisen oppi ja nuorten osallisuus",
                "25000",
            )
        ],
    ),
    Spec(
        "Ystävyyskaupunki Severograd",
        "twin_town",
        "paused",
        D(1968, 6, 1),
        None,
        "Ystävyyskaupunkisuhde (A7, kuvitteellinen venäläinen kaupunki); yhteistyö keskeytetty 3/2022.",
        total="0",
        own="0",
        partners=[("Severograd city administration", "RU", "ystävyyskaupunki")],
        reviews=[
            Review(
                0,
                False,
                False,
                "pause",
                "Yhteistyö keskeytetty Venäjän hyökkäyssodan vuoksi.",
                "Kulttuurivaihto 2019",
                "",
                "0",
                on=D(2022, 3, 15),
            )
        ],
    ),
    Spec(
        "EUROTOWNS-verkosto",
        "network",
        "ongoing",
        D(2020, 1, 1),
        None,
        "Keskisuurten eurooppalaisten kaupunkien verkosto (A8). Kaarnala isännöi vuosikokouksen 2024. "
        "Jäsenmaksu 6 000 € vuodessa, isännöinti 60 000 € vuonna 2024.",
        total="84000",
        own="84000",
        partners=[("EUROTOWNS", "BE", "verkosto")],
        steps=[
            Step("input", "Jäsenmaksu 6 000 €/v; isännöinti 60 000 € (2024)"),
            Step("activity", "Vuosikokouksen isännöinti ja teemaryhmät"),
            Step("output", "Voimassa oleva yhteinen toimintasuunnitelma", "I10"),
            Step("outcome", "Ulkomaiset yöpymiset kasvavat", "I8"),
        ],
        links=[
            Link("SG1", "enabling", "medium", "Verkosto tuo kumppaneita ja näkyvyyttä elinkeinoelämälle."),
            Link("5.1", "direct", "short", "Verkoston kanssa on yhteinen työsuunnitelma."),
        ],
        reports=[Report(5, "on_track", "Vuosikokous toi 240 vierasta; kaksi uutta hankekumppanuutta.")],
        reviews=[
            Review(
                6,
                True,
                True,
                "keep",
                "Verkosto tuo hankekumppaneita ja vertailutietoa.",
                "Vuosikokous Kaarnalassa 2024",
                "Kumppaneita EU-hankkeisiin",
                "6000",
            )
        ],
    ),
    Spec(
        "ICLEI Europe -jäsenyys",
        "network",
        "ongoing",
        D(2022, 1, 1),
        None,
        "Kestävän kehityksen kaupunkiverkosto (A9). Jäsenmaksu 8 000 € vuodessa.",
        total="8000",
        own="8000",
        partners=[("ICLEI European Secretariat", "DE", "verkosto")],
        steps=[
            Step("input", "Jäsenmaksu 8 000 €/v"),
            Step("activity", "Ilmastotyön vertaisoppiminen ja hankehaut"),
            Step("impact", "Asukaskohtaiset kasvihuonekaasupäästöt pienenevät", "I12"),
        ],
        links=[
            Link("SG3", "enabling", "long", "Verkostosta saadaan ilmastotyön menetelmiä ja hankekumppaneita.")
        ],
        reviews=[
            Review(
                11,
                True,
                False,
                "keep",
                "Hyödyllinen, mutta yhteinen toimintasuunnitelma puuttuu.",
                "Ilmastowebinaarit",
                "Menetelmiä päästölaskentaan",
                "8000",
            )
        ],
    ),
    Spec(
        "Järvi-Pohjolan EU-toimisto",
        "eu_office",
        "ongoing",
        D(2019, 1, 1),
        None,
        "Jäsenyys Järvi-Pohjolan EU-toimistossa Brysselissä (A10), yhdessä maakuntaliiton ja "
        "korkeakoulujen kanssa. 35 000 € vuodessa.",
        total="35000",
        own="35000",
        partners=[
            ("Järvi-Pohjolan liitto", "FI", "isäntä"),
            ("Kaarnalan ammattikorkeakoulu", "FI", "jäsen"),
            ("Järvi-Pohjola EU Office", "BE", "toimisto Brysselissä"),
        ],
        steps=[
            Step("input", "35 000 €/v"),
            Step("activity", "Hakuseuranta, kumppanihaku ja edunvalvonta"),
            Step("output", "EU-rahoitusta kaupunkikonsernille", "I6"),
            Step("output", "Käynnissä olevat kansainväliset hankkeet", "I7"),
        ],
        links=[Link("5.2", "direct", "short", "Toimisto ohjaa hakuja strategian mukaisiin ohjelmiin.")],
        reports=[Report(1, "on_track", "Neljä hakemusta strategian tavoitteisiin, kaksi hyväksytty.")],
    ),
    Spec(
        "International House Kaarnala ja Work in Kaarnala",
        "talent",
        "ongoing",
        D(2022, 1, 1),
        None,
        "Yhden luukun palvelupiste kansainvälisille osaajille ja Work in Kaarnala -kampanja (A11). "
        "180 000 € vuodessa.",
        total="180000",
        own="180000",
        partners=[
            ("Järvi-Pohjolan työllisyyspalvelut", "FI", "palvelukumppani"),
            ("Kaarnalan ammattikorkeakoulu", "FI", "kumppani"),
            ("Kela", "FI", "palvelukumppani"),
            ("Poliisi (lupapalvelut)", "FI", "palvelukumppani"),
        ],
        steps=[
            Step("input", "180 000 €/v, kolme neuvojaa"),
            Step("activity", "Neuvonta, kotoutumisen palvelut ja rekrytointikampanja"),
            Step("outcome", "Kansainväliset tutkinto-opiskelijat alueen korkeakouluissa", "I4"),
            Step("outcome", "Asukkaat kokevat Kaarnalan avoimeksi kaikentaustaisille", "I13"),
            Step("impact", "Vieraskielisten työllisyysaste nousee", "I3"),
            Step("impact", "Kansainväliset valmistuneet työllistyvät Suomeen", "I5"),
        ],
        links=[
            Link("SG2", "direct", "medium", "Palvelupiste ja kampanja tuovat ja pitävät osaajia."),
            Link("2.2", "direct", "short", "Keskeiset palvelut englanniksi yhdestä paikasta."),
        ],
        reports=[
            Report(
                7,
                "some_problems",
                "Asiakasmäärä kasvoi 40 %, mutta jonot pitenivät.",
                "Neljäs neuvoja rekrytoidaan.",
            )
        ],
    ),
    Spec(
        "Investointien edistäminen ja yritysdelegaatiot",
        "investment",
        "ongoing",
        D(2019, 1, 1),
        None,
        "FDI-putki aluekehitysyhtiön ja Invest in Finlandin kanssa; pormestarin johtamat delegaatiot "
        "Hannover Messeen 2023 ja Tukholmaan 2025 (A12). 120 000 € vuodessa.",
        total="120000",
        own="120000",
        partners=[
            ("Kaarnalan Kehitys Oy", "FI", "toteuttaja"),
            ("Business Finland / Invest in Finland", "FI", "kumppani"),
            ("Kaarnalan kauppakamari", "FI", "kumppani"),
            ("Hannover Messe -delegaatio 2023", "DE", "messu"),
            ("Tukholman delegaatio 2025", "SE", "delegaatio"),
        ],
        steps=[
            Step("input", "120 000 €/v"),
            Step("activity", "Investointiputken hoito ja delegaatiomatkat"),
            Step("output", "Pk-yritykset kaupungin delegaatioissa ja messuilla", "I14"),
            Step("outcome", "Uudet tuetut suorat ulkomaiset investointihankkeet", "I9"),
        ],
        links=[
            Link("1.2", "direct", "medium", "Investoinnit tuovat työpaikkoja."),
            Link("1.1", "partial", "medium", "Delegaatiot avaavat yrityksille vientikanavia."),
        ],
        reports=[Report(2, "on_track", "Viisi uutta FDI-hanketta, 27 yritystä delegaatioissa.")],
    ),
    # Not one of the twelve: a network membership that failed its yearly review and was ended.
    Spec(
        "Baltic Coastal Towns Forum",
        "network",
        "ended",
        D(2016, 1, 1),
        D(2024, 10, 15),
        "Itämeren rannikkokaupunkien foorumi (kuvitteellinen). Jäsenmaksu 4 000 € vuodessa. Päätettiin "
        "vuoden 2024 arvioinnissa: ei yhteisiä tavoitteita eikä toimintasuunnitelmaa.",
        total="4000",
        own="4000",
        partners=[("Baltic Coastal Towns Forum secretariat", "LV", "verkosto")],
        steps=[Step("input", "Jäsenmaksu 4 000 €/v"), Step("activity", "Vuosikokoukset")],
        reviews=[
            Review(
                0,
                False,
                False,
                "end",
                "Verkostolla ei ole yhteisiä tavoitteita strategian kanssa; maksu toi vain kokouksia.",
                "Vuosikokous 2023",
                "Vähäinen",
                "4000",
                on=D(2024, 10, 15),
            )
        ],
    ),
]

NAAPURILA: list[Spec] = [
    Spec(
        "Ystävyyskaupunki Grannby",
        "twin_town",
        "ongoing",
        D(1975, 1, 1),
        None,
        "Ystävyyskaupunki Ruotsissa (kuvitteellinen): koulujen ja kulttuurin yhteistyö.",
        total="5000",
        own="5000",
        partners=[("Grannby kommun", "SE", "ystävyyskaupunki")],
        steps=[Step("activity", "Koulujen vierailut ja kulttuuritapahtumat")],
        reports=[Report(3, "on_track", "Kaksi koululuokkaa vieraili Grannbyssa.")],
        reviews=[
            Review(
                5,
                True,
                False,
                "keep",
                "Yhteistyö elää, toimintasuunnitelma laaditaan.",
                "Koulujen vierailu",
                "Nuorten kielitaito",
                "5000",
            )
        ],
    ),
    Spec(
        "Naapurilan lukion Erasmus-vaihto",
        "education",
        "ongoing",
        D(2024, 8, 1),
        D(2026, 7, 31),
        "Erasmus+ KA1 -liikkuvuus lukiolle.",
        programme="erasmus",
        total="60000",
        own="0",
        external="60000",
        participants=40,
        partners=[("Gymnasium Sundwik", "DE", "vastaanottava koulu")],
        steps=[Step("output", "40 opiskelijan liikkuvuus")],
    ),
    Spec(
        "Seudullinen osaajahanke",
        "external_project",
        "planned",
        D(2026, 1, 1),
        D(2027, 12, 31),
        "Kansallisesti rahoitettu osaajien houkutteluhanke yhdessä Kaarnalan kanssa.",
        programme="national",
        total="120000",
        own="24000",
        external="96000",
        partners=[("Kaarnalan kaupunki", "FI", "kumppani")],
    ),
]


def _newest_goals(organisation: Organisation) -> dict[str, Goal]:
    strategy = Strategy.objects.for_organisation(organisation).order_by("-term_start", "-pk").first()
    if strategy is None:
        return {}
    return {goal.code: goal for goal in Goal.objects.filter(strategy=strategy).exclude(code="")}


def _goal(goals: dict[str, Goal], code: str) -> Goal | None:
    return goals.get(code) or goals.get(f"SG{code}") or goals.get(code.removeprefix("SG"))


def _indicator(organisation: Organisation, key: str) -> Indicator | None:
    indicators = Indicator.objects.for_organisation(organisation)
    coded = indicators.filter(Q(note__iregex=rf"(^|\W){key}(\W|$)") | Q(source_code__iexact=key)).first()
    if coded:
        return coded
    for pattern in INDICATOR_PATTERNS.get(key, []):
        found = indicators.filter(Q(name_fi__iregex=pattern) | Q(name_en__iregex=pattern))
        if key == "I5":  # I5b (the home region) shares the words of I5
            found = found.exclude(Q(name_fi__iregex="kotimaakun|alueelle") | Q(name_en__iregex="home region"))
        match = found.order_by("pk").first()
        if match:
            return match
    return None


def _money(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def _load(organisation: Organisation, specs: list[Spec], *, responsible: User | None, today: dt.date) -> None:
    goals = _newest_goals(organisation)
    indicators: dict[str, Indicator | None] = {}

    def indicator(key: str) -> Indicator | None:
        if key and key not in indicators:
            indicators[key] = _indicator(organisation, key)
        return indicators.get(key)

    for spec in specs:
        activity, _created = Activity.objects.update_or_create(
            organisation=organisation,
            name=spec.name,
            defaults={
                "kind": spec.kind,
                "status": spec.status,
                "start_date": spec.start,
                "end_date": spec.end,
                "description": spec.description,
                "programme": spec.programme,
                "total_budget": _money(spec.total),
                "own_share": _money(spec.own),
                "external_funding": _money(spec.external),
                "participants": spec.participants,
                "responsible": responsible,
            },
        )
        for name, country, role in spec.partners:
            Partner.objects.update_or_create(
                activity=activity, name=name, defaults={"country": country, "role": role}
            )
        for order, step in enumerate(spec.steps, start=1):
            ChainStep.objects.update_or_create(
                activity=activity,
                level=step.level,
                description=step.description,
                defaults={"indicator": indicator(step.indicator), "order": order},
            )
        for link in spec.links:
            goal = _goal(goals, link.goal)
            if goal is None:
                continue
            Contribution.objects.update_or_create(
                activity=activity,
                goal=goal,
                defaults={
                    "strength": link.strength,
                    "time_to_impact": link.time_to_impact,
                    "rationale": link.rationale,
                },
            )
        for report in spec.reports:
            # Keyed by what was achieved, so a later run (on another day) adds nothing.
            ProgressReport.objects.get_or_create(
                activity=activity,
                achieved=report.achieved,
                defaults={
                    "reported_on": add_months(today, -report.months_ago),
                    "status": report.status,
                    "next_steps": report.next_steps,
                    "evidence_links": report.evidence,
                },
            )
        for review in spec.reviews:
            PartnershipReview.objects.get_or_create(
                activity=activity,
                reason=review.reason,
                defaults={
                    "reviewed_on": review.on or add_months(today, -review.months_ago),
                    "shared_goals": review.shared_goals,
                    "joint_action_plan": review.joint_action_plan,
                    "decision": review.decision,
                    "last_joint_activity": review.last_joint_activity,
                    "benefit": review.benefit,
                    "cost": _money(review.cost),
                },
            )


@transaction.atomic
def load_demo_activities() -> None:
    """Create (or refresh) the demo organisations' activities; needs the demo organisations."""
    today = timezone.localdate()
    for slug, specs, username in (
        ("kaarnala", KAARNALA, "kaarnala-editor"),
        ("naapurila", NAAPURILA, "naapuri-editor"),
    ):
        organisation = Organisation.objects.filter(slug=slug, is_demo=True).first()
        if organisation is None:
            continue
        ActivitySettings.objects.get_or_create(organisation=organisation)
        responsible = User.objects.filter(username=username, memberships__organisation=organisation).first()
        _load(organisation, specs, responsible=responsible, today=today)
