"""The demo's organisations and people: all fictional (codes 990-999, regions Järvi-Pohjola and
Tunturi-Aapa, neither of which exists)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from organisations.models import Membership, Organisation, Region, Role, User

DEMO_PASSWORD = "demo-demo-2026"  # noqa: S105  (the published demo sign-in, never used in production)

DEMO_USERS = [
    # username, name, email, language, [(organisation slug, role)]
    ("kaarnala-admin", "Aino Admin", "kaarnala-admin@demo.invalid", "fi", [("kaarnala", Role.ADMIN)]),
    (
        "kaarnala-editor",
        "Eero Editori",
        "kaarnala-editor@demo.invalid",
        "fi",
        [("kaarnala", Role.EDITOR), ("jarvi-pohjolan-liitto", Role.VIEWER)],
    ),
    ("kaarnala-viewer", "Veera Viewer", "kaarnala-viewer@demo.invalid", "fi", [("kaarnala", Role.VIEWER)]),
    ("naapuri-editor", "Niko Naapuri", "naapuri-editor@demo.invalid", "fi", [("naapurila", Role.EDITOR)]),
    ("steward", "Stiina Steward", "steward@demo.invalid", "fi", [("kuntaliitto", Role.STEWARD)]),
]


# Fictional municipalities that share their indicator data, so that the national comparison has peers
# to show: code, slug, name, population (end of 2025), region code, whether it shares. None of these
# names is a real municipality; 992 is skipped because it is Äänekoski's real code. Honkavaara does not
# share: its values must never show in the national comparison.
DEMO_PEERS: list[tuple[str, str, str, int, str, bool]] = [
    ("990", "aallokas", "Aallokas", 4120, "99", True),
    ("991", "harjula", "Harjula", 9870, "99", True),
    ("993", "kivikoski", "Kivikoski", 33400, "99", True),
    ("994", "lumijarvi", "Lumijärvi", 118600, "98", True),
    ("995", "myllyranta", "Myllyranta", 7450, "98", True),
    ("996", "pajukoski", "Pajukoski", 22900, "98", True),
    ("997", "honkavaara", "Honkavaara", 15800, "98", False),
]
# The demo organisations that share their indicator data (the demo opts them in on every load).
DEMO_SHARING = ["kaarnala", "naapurila"] + [slug for _c, slug, _n, _p, _r, shares in DEMO_PEERS if shares]


def load_demo_peers() -> list[Organisation]:
    """The fictional peer municipalities of the national comparison, in two fictional regions."""
    regions = {
        "99": Region.objects.get(code="99"),
        "98": Region.objects.update_or_create(
            code="98", defaults={"name_fi": "Tunturi-Aapa", "name_sv": "", "name_en": ""}
        )[0],
    }
    peers = []
    for code, slug, name, population, region, _shares in DEMO_PEERS:
        organisation, _created = Organisation.objects.update_or_create(
            slug=slug,
            defaults={
                "kind": Organisation.Kind.MUNICIPALITY,
                "code": code,
                "name_fi": name,
                "population": population,
                "population_date": date(2025, 12, 31),
                "region": regions[region],
                "is_demo": True,
            },
        )
        peers.append(organisation)
    # The demo's sharing choices; a demo organisation that is not in the list does not share.
    slugs = [slug for _c, slug, *_rest in DEMO_PEERS] + ["kaarnala", "naapurila"]
    for organisation in Organisation.objects.filter(slug__in=slugs, is_demo=True):
        shares = organisation.slug in DEMO_SHARING
        if organisation.shares_indicator_data != shares:
            organisation.shares_indicator_data = shares
            organisation.version += 1
            organisation.save(update_fields=["shares_indicator_data", "version"])
    return peers


@transaction.atomic
def load_demo_organisations() -> list[str]:
    """Create (or refresh) the demo region, organisations and sign-ins; return the usernames."""
    region, _created = Region.objects.update_or_create(
        code="99", defaults={"name_fi": "Järvi-Pohjola", "name_sv": "", "name_en": ""}
    )
    demo_orgs: list[dict[str, Any]] = [
        dict(
            kind=Organisation.Kind.MUNICIPALITY,
            code="999",
            slug="kaarnala",
            name_fi="Kaarnala",
            population=63420,
            population_date=date(2025, 12, 31),
        ),
        dict(
            kind=Organisation.Kind.MUNICIPALITY,
            code="998",
            slug="naapurila",
            name_fi="Naapurila",
            population=18250,
            population_date=date(2025, 12, 31),
        ),
        dict(
            kind=Organisation.Kind.REGIONAL_COUNCIL,
            code="99",
            slug="jarvi-pohjolan-liitto",
            name_fi="Järvi-Pohjolan liitto",
        ),
    ]
    for values in demo_orgs:
        slug = values.pop("slug")
        Organisation.objects.update_or_create(
            slug=slug, defaults={**values, "region": region, "is_demo": True}
        )
    load_demo_peers()
    organisations = {
        org.slug: org
        for org in Organisation.objects.filter(
            slug__in=["kaarnala", "naapurila", "jarvi-pohjolan-liitto", "kuntaliitto"]
        )
    }
    for username, name, email, language, roles in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username)
        user.name, user.email, user.language, user.is_active = name, email, language, True
        user.email_verified = True
        user.home_organisation = organisations[roles[0][0]]  # the first listed is where they work
        user.set_password(DEMO_PASSWORD)
        user.save()
        for slug, role in roles:
            Membership.objects.update_or_create(
                user=user, organisation=organisations[slug], defaults={"role": role}
            )
    return [username for username, *_rest in DEMO_USERS]
