"""GET /health/ for the load balancer: 200 when the database answers, 503 when it does not."""

from __future__ import annotations

from unittest import mock

from django.db import OperationalError
from django.test import Client


def test_health_answers_200_with_the_database(client: Client, db: None) -> None:
    response = client.get("/health/")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert "no-cache" in response["Cache-Control"]


def test_health_answers_503_without_the_database(client: Client, db: None) -> None:
    with mock.patch("impact.views.connection.cursor", side_effect=OperationalError("server closed")):
        response = client.get("/health/")
    assert (response.status_code, response.json()) == (503, {"status": "unavailable"})
