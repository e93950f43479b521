"""Fixtures of the activity tests: an editor and a viewer of A, and A's strategy with a goal tree."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from goals.models import Goal, Strategy
from organisations.models import Organisation, Role, User
from tests.factories import make_member, make_user
from tests.goals.factories import make_goal, make_strategy


@dataclass
class Tree:
    strategy: Strategy
    root: Goal
    sg1: Goal
    g11: Goal
    g12: Goal
    sg3: Goal
    g31: Goal
    g32: Goal


@pytest.fixture
def editor(org_a: Organisation) -> User:
    # English, the source language: the tests read messages whatever the catalogues translate.
    return make_member(organisation=org_a, role=Role.EDITOR, user=make_user(language="en"))


@pytest.fixture
def editor_client(client: Client, editor: User) -> Client:
    client.force_login(editor)
    return client


@pytest.fixture
def viewer_client(org_a: Organisation) -> Client:
    client = Client()
    client.force_login(make_member(organisation=org_a, role=Role.VIEWER, user=make_user(language="en")))
    return client


@pytest.fixture
def tree(org_a: Organisation) -> Tree:
    strategy = make_strategy(organisation=org_a, name="Aakkosla 2030", status="approved")
    root = make_goal(strategy=strategy, title="Elinvoimainen Aakkosla")
    sg1 = make_goal(strategy=strategy, parent=root, code="SG1", title="Uudistuva elinkeinoelämä")
    g11 = make_goal(strategy=strategy, parent=sg1, code="1.1", title="Vienti kasvaa")
    g12 = make_goal(strategy=strategy, parent=sg1, code="1.2", title="Uusia investointeja ja työpaikkoja")
    sg3 = make_goal(strategy=strategy, parent=root, code="SG3", title="Hiilineutraali Aakkosla 2035")
    g31 = make_goal(strategy=strategy, parent=sg3, code="3.1", title="Päästöt puolittuvat")
    g32 = make_goal(strategy=strategy, parent=sg3, code="3.2", title="Kiertotalousratkaisut satamassa")
    return Tree(strategy, root, sg1, g11, g12, sg3, g31, g32)


def htmx(**extra: str) -> dict[str, str]:
    """Headers of an htmx request (HX-Target names the element the response feeds)."""
    return {
        "HX-Request": "true",
        **{f"HX-{key.replace('_', '-').title()}": value for key, value in extra.items()},
    }


def assert_fragment(response: object, partial: str) -> None:
    """An htmx answer: the named partial, no page frame, and Vary on HX-Request."""
    template_name = response.template_name  # type: ignore[attr-defined]
    assert template_name.endswith(f"#{partial}"), template_name
    assert "<html" not in response.content.decode()  # type: ignore[attr-defined]
    assert "HX-Request" in response["Vary"]  # type: ignore[index]


def assert_page(response: object, template: str) -> None:
    assert response.status_code == 200, response.status_code  # type: ignore[attr-defined]
    assert response.template_name == template  # type: ignore[attr-defined]
    assert "<html" in response.content.decode()  # type: ignore[attr-defined]
