"""The role matrix: who may open and change each page of an organisation."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from organisations.models import Membership, Organisation, Role
from tests.factories import make_member, make_organisation, make_user

# page name, method → the lowest role that may use it (non-members always get 404).
MATRIX = [
    ("organisation_home", "get", Role.VIEWER),
    ("organisations:member_list", "get", Role.ADMIN),
    ("organisations:member_list", "post", Role.ADMIN),
    ("organisations:member_role", "post", Role.ADMIN),
    ("organisations:member_remove", "get", Role.ADMIN),
    ("organisations:member_remove", "post", Role.ADMIN),
    ("organisations:settings", "get", Role.ADMIN),
    ("organisations:settings", "post", Role.ADMIN),
]
ROLES = [None, Role.VIEWER, Role.EDITOR, Role.ADMIN]


def _allowed(role: Role | None, needed: Role) -> bool:
    return role is not None and Role(role).rank >= needed.rank


@pytest.mark.parametrize(("name", "method", "needed"), MATRIX)
@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "non-member")
def test_role_matrix(
    client: Client, db: None, name: str, method: str, needed: Role, role: Role | None
) -> None:
    org = make_organisation()
    other_admin = make_member(organisation=org, role=Role.ADMIN)
    target = Membership.objects.get(user=other_admin)
    person = make_user(language="en")
    user = make_member(
        organisation=org if role else make_organisation(), role=role or Role.ADMIN, user=person
    )
    client.force_login(user)
    kwargs = {"org_slug": org.slug}
    if name in {"organisations:member_role", "organisations:member_remove"}:
        kwargs["pk"] = str(target.pk)
    before = list(Membership.objects.filter(organisation=org).values_list("pk", "role", "version"))
    response = getattr(client, method)(reverse(name, kwargs=kwargs), {"role": "viewer", "version": "1"})
    if role is None:
        assert response.status_code == 404
    elif _allowed(role, needed):
        assert response.status_code in {200, 302, 409, 422}
    else:
        assert response.status_code == 403
        assert "Only the organisation&#x27;s administrators can do this." in response.content.decode()
    if not (role and _allowed(role, needed)) or method == "get":
        after = list(Membership.objects.filter(organisation=org).values_list("pk", "role", "version"))
        assert after == before, "a refused request changed nothing"


def test_steward_is_an_editor_in_the_association_and_a_stranger_elsewhere(client: Client, db: None) -> None:
    association = make_organisation(kind=Organisation.Kind.ASSOCIATION, slug="kuntaliitto")
    municipality = make_organisation()
    steward = make_member(organisation=association, role=Role.STEWARD)
    client.force_login(steward)
    assert client.get(reverse("organisation_home", args=[association.slug])).status_code == 200
    assert client.get(reverse("organisations:member_list", args=[association.slug])).status_code == 403
    assert client.get(reverse("organisation_home", args=[municipality.slug])).status_code == 404
