"""Walk every named URL pattern: sign-in is required, and no organisation sees another's data.

A new URL whose parameters have no sample value below fails `test_every_url_parameter_has_a_sample`,
so later features are covered as soon as they add a route.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from organisations.models import Membership, Organisation, Role, User
from tests.factories import make_member, make_user

# Routes anyone may open without signing in (LoginRequiredMiddleware's explicit exceptions).
PUBLIC = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "accessibility",
    "privacy",
    "about_data",
    "health",
    "organisations:language",
    "organisations:invitation_accept",
    "digest_preference",
}
# The operator's Django admin has its own sign-in and staff check; no product screen depends on it.
SKIPPED_NAMESPACES = {"admin"}

MARKER = "B-PRIVATE-MARKER-7f3a"


@dataclass(frozen=True)
class Route:
    name: str
    params: tuple[str, ...]


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            outer = tuple(entry.pattern.regex.groupindex)
            for route in _walk(entry.url_patterns, inner):
                yield Route(route.name, outer + route.params)
        elif isinstance(entry, URLPattern) and entry.name:
            yield Route(f"{namespace}{entry.name}", tuple(entry.pattern.regex.groupindex))


def all_routes() -> list[Route]:
    return sorted(set(_walk(get_resolver().url_patterns)), key=lambda r: r.name)


@dataclass
class World:
    """Organisation A (where the test user is a member) and organisation B (someone else's)."""

    org_a: Organisation
    org_b: Organisation
    user_a: User
    b_member: Membership
    b_user: User


# How to fill each URL parameter with organisation B's values. A new parameter needs a line here.
SAMPLES: dict[str, Callable[[World], str]] = {
    "org_slug": lambda w: w.org_b.slug,
    "pk": lambda w: str(w.b_member.pk),
    "uidb64": lambda w: urlsafe_base64_encode(force_bytes(w.b_user.pk)),
    "token": lambda w: default_token_generator.make_token(w.b_user),
}


def test_every_url_parameter_has_a_sample() -> None:
    missing = {
        (route.name, param) for route in all_routes() for param in route.params if param not in SAMPLES
    }
    assert not missing, f"add sample values for these URL parameters to SAMPLES: {sorted(missing)}"


@pytest.fixture
def world(db: None) -> World:
    org_a = Organisation.objects.create(kind="municipality", name_fi="Aakkosla", slug="aakkosla", code="991")
    org_b = Organisation.objects.create(kind="municipality", name_fi="Beetala", slug="beetala", code="992")
    user_a = make_member(organisation=org_a, role=Role.ADMIN)
    b_user = make_user(name=f"Bertta {MARKER}", email=f"bertta-{MARKER.lower()}@example.invalid")
    Membership.objects.create(user=b_user, organisation=org_b, role=Role.ADMIN)
    b_member = Membership.objects.get(user=b_user)
    return World(org_a=org_a, org_b=org_b, user_a=user_a, b_member=b_member, b_user=b_user)


def _url(route: Route, world: World, **overrides: str) -> str:
    kwargs = {param: overrides.get(param) or SAMPLES[param](world) for param in route.params}
    return reverse(route.name, kwargs=kwargs)


def _snapshot_b(world: World) -> list[tuple[Any, ...]]:
    """Every row that belongs to B, as plain values, to prove nothing changed."""
    rows: list[tuple[Any, ...]] = []
    for model in (Organisation, Membership, User):
        queryset: models.QuerySet[Any]
        if model is Organisation:
            queryset = Organisation.objects.filter(pk=world.org_b.pk)
        elif model is Membership:
            queryset = Membership.objects.filter(organisation=world.org_b)
        else:
            queryset = User.objects.filter(pk=world.b_user.pk)
        rows.extend(tuple(row.values()) for row in queryset.order_by("pk").values())
    return rows


def test_anonymous_is_sent_to_sign_in_everywhere_but_public_pages(client: Client, world: World) -> None:
    for route in all_routes():
        url = _url(route, world)
        response = client.get(url)
        if route.name in PUBLIC:
            assert response.status_code in {200, 302, 405}, (route.name, response.status_code)
            if response.status_code == 302:
                assert "/accounts/login/" not in response["Location"] or route.name == "login", route.name
            continue
        assert response.status_code == 302, (route.name, response.status_code)
        assert response["Location"].startswith("/accounts/login/?next="), (route.name, response["Location"])


def _org_routes() -> list[Route]:
    return [route for route in all_routes() if "org_slug" in route.params]


@pytest.mark.parametrize("method", ["get", "post"])
def test_member_of_a_cannot_reach_b(client: Client, world: World, method: str) -> None:
    client.force_login(world.user_a)
    before = _snapshot_b(world)
    checked = 0
    for route in _org_routes():
        # B's slug with B's ids, and A's own slug with B's ids: both must look like nothing exists.
        for url in {_url(route, world), _url(route, world, org_slug=world.org_a.slug)}:
            if url == _url(route, world, org_slug=world.org_a.slug) and "pk" not in route.params:
                continue  # A's own page with no foreign id is A's business, not isolation's
            response = getattr(client, method)(
                url, {"role": "viewer", "version": "1", "email": "x@example.fi"}
            )
            assert response.status_code in {403, 404, 405}, (route.name, url, method, response.status_code)
            assert MARKER not in response.content.decode(), (route.name, url)
            checked += 1
    assert checked >= len(_org_routes())
    assert _snapshot_b(world) == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_pages_outside_organisations_show_nothing_of_b(client: Client, world: World, method: str) -> None:
    client.force_login(world.user_a)
    before = _snapshot_b(world)
    for route in all_routes():
        if "org_slug" in route.params:
            continue
        client.force_login(world.user_a)  # the walk passes through sign-out too
        response = getattr(client, method)(_url(route, world))
        assert response.status_code < 500, (route.name, response.status_code)
        assert MARKER not in response.content.decode(), route.name
    assert _snapshot_b(world) == before
