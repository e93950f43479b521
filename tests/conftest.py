"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import translation

from organisations.models import Organisation, Role
from tests.factories import PASSWORD, make_member, make_organisation


@pytest.fixture
def association(db: None) -> Organisation:
    return make_organisation(
        name="Suomen Kuntaliitto", kind=Organisation.Kind.ASSOCIATION, slug="kuntaliitto"
    )


@pytest.fixture
def org_a(db: None) -> Organisation:
    return make_organisation(name="Aakkosla", slug="aakkosla")


@pytest.fixture
def org_b(db: None) -> Organisation:
    return make_organisation(name="Beetala", slug="beetala")


def signed_in(client: Client, user: object) -> Client:
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.fixture
def admin_client(client: Client, org_a: Organisation) -> Client:
    return signed_in(client, make_member(organisation=org_a, role=Role.ADMIN))


__all__ = ["PASSWORD", "signed_in"]


@pytest.fixture(autouse=True)
def english_unless_a_test_says_otherwise() -> Iterator[None]:
    """Tests read messages in English; a request's language must not leak into the next test."""
    with translation.override("en"):
        yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    """allauth keeps its rate limits (failed sign-ins per address, used one-time codes) in the cache:
    one test's attempts must not count in the next. The kept dashboards and reports are cleared too."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


def pytest_configure(config: pytest.Config) -> None:
    """WhiteNoise looks for the collected static files once per middleware chain and warns when the folder
    is missing (a fresh clone has not run collectstatic): the tests serve static files through the
    finders, so an empty folder is all it needs."""
    from django.conf import settings

    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
