"""The real registry loads completely and idempotently; names sort by the Finnish alphabet."""

from __future__ import annotations

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from organisations.collation import finnish_key, sorted_finnish
from organisations.demo import DEMO_PASSWORD, load_demo_organisations
from organisations.models import Membership, Organisation, Role
from organisations.registry import load_registry


def test_registry_is_complete_and_loading_twice_changes_nothing(db: None) -> None:
    first = load_registry()
    assert first.created == 19 + 308 + 18 + 1
    kinds = Organisation.objects.values_list("kind", flat=True)
    assert list(kinds).count("municipality") == 308
    assert list(kinds).count("regional_council") == 18
    assert list(kinds).count("association") == 1
    helsinki = Organisation.objects.get(code="091", kind="municipality")
    assert (helsinki.name_fi, helsinki.name_sv, helsinki.slug) == ("Helsinki", "Helsingfors", "helsinki")
    assert helsinki.region is not None and helsinki.region.code == "01"
    total = sum(
        p or 0 for p in Organisation.objects.filter(kind="municipality").values_list("population", flat=True)
    )
    assert total == 5_635_971
    # Where the source repeats the Finnish name, no Swedish name is invented.
    assert Organisation.objects.get(code="005", kind="municipality").name_sv == ""
    assert Organisation.objects.get(code="478", kind="municipality").content_language == "sv"  # Mariehamn
    snapshot = list(Organisation.objects.order_by("pk").values())
    second = load_registry()
    assert (second.created, second.updated) == (0, 0)
    assert list(Organisation.objects.order_by("pk").values()) == snapshot


def test_finnish_alphabet() -> None:
    names = ["Öja", "Åbo", "Ähtäri", "Zeta", "Aura", "Vaasa", "Ylöjärvi", "Übel"]
    assert sorted_finnish(names, key=str) == [
        "Aura",
        "Vaasa",
        "Übel",
        "Ylöjärvi",
        "Zeta",
        "Åbo",
        "Ähtäri",
        "Öja",
    ]
    assert finnish_key("aa") < finnish_key("Ab") < finnish_key("ab.")


def test_demo_signs_in_and_is_labelled(client: Client, db: None, settings: object) -> None:
    load_registry()
    load_demo_organisations()
    load_demo_organisations()  # idempotent
    kaarnala = Organisation.objects.get(slug="kaarnala")
    assert kaarnala.is_demo and kaarnala.code == "999"
    assert Membership.objects.filter(organisation=kaarnala).count() == 3
    assert Membership.objects.get(user__username="steward").role == Role.STEWARD
    response = client.post(reverse("login"), {"login": "kaarnala-editor", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    home = client.get(reverse("organisation_home", args=["kaarnala"]))
    assert "Kaarnala" in home.content.decode() and 'class="badge"' in home.content.decode()
    assert client.get(reverse("organisation_home", args=["naapurila"])).status_code == 404


def test_load_demo_refuses_in_production(db: None, settings: object) -> None:
    import pytest
    from django.core.management.base import CommandError

    settings.DEMO_DATA_ALLOWED = False  # type: ignore[attr-defined]
    with pytest.raises(CommandError):
        call_command("load_demo")
