"""The demo's organisations and people: all fictional (codes 990-999, region Järvi-Pohjola)."""

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
        user.set_password(DEMO_PASSWORD)
        user.save()
        for slug, role in roles:
            Membership.objects.update_or_create(
                user=user, organisation=organisations[slug], defaults={"role": role}
            )
    return [username for username, *_rest in DEMO_USERS]
