"""Every response to a signed-in person (pages, fragments, downloads, exports) says
`Cache-Control: private, no-store`; static files keep their long cache; anonymous pages are not touched."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from tests.test_url_walk import SAMPLES, World, all_routes
from tests.test_url_walk import world as world  # the walk's fixture: two organisations


def _directives(response: Any) -> set[str]:
    return {
        part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",") if part.strip()
    }


def test_every_route_answers_a_signed_in_person_with_private_no_store(client: Client, world: World) -> None:
    """B's own admin opens every route filled with B's ids: pages, confirmation pages, exports (CSV, XLSX),
    the annual report's PDF; each answer that reaches a signed-in person is kept by no cache."""
    checked: list[str] = []
    for route in all_routes():
        client.force_login(world.b_user)  # the walk passes through sign-out too
        url = reverse(route.name, kwargs={param: SAMPLES[param](world) for param in route.params})
        response = client.get(url)
        if not response.wsgi_request.user.is_authenticated:
            continue  # signed out by this very request
        assert {"private", "no-store"} <= _directives(response), (route.name, response.get("Cache-Control"))
        checked.append(route.name)
    downloads = {
        "indicator_imports:export",
        "goals:strategy_export",
        "activities:export",
        "organisations:export",
        "national:export",
        "report:xlsx",
        "report:download",
    }
    assert downloads <= set(checked), downloads - set(checked)
    htmx = client.get(reverse("organisation_home", args=[world.org_b.slug]), headers={"HX-Request": "true"})
    assert {"private", "no-store"} <= _directives(htmx)


def test_a_view_that_sets_its_own_cache_control_keeps_it(client: Client, world: World) -> None:
    client.force_login(world.b_user)
    health = client.get(reverse("health"))
    assert "no-cache" in health["Cache-Control"] and "must-revalidate" in health["Cache-Control"]
    download = client.get(reverse("report:download", args=[world.org_b.slug, world.b_report_run.pk]))
    assert download["Cache-Control"] == "private, no-store"


def test_anonymous_pages_are_left_as_they_are(client: Client, db: None) -> None:
    page = client.get(reverse("accessibility"))
    assert page.status_code == 200 and "no-store" not in page.get("Cache-Control", "")


def test_static_files_keep_their_own_cache_even_for_a_signed_in_person(world: World, settings: Any) -> None:
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    client = Client()  # a new client loads the middleware with these settings
    client.force_login(world.b_user)
    response = client.get("/static/css/report.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "public" in response["Cache-Control"] or "max-age" in response["Cache-Control"]
