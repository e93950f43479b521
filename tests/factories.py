"""Plain factory functions: each test says what it depends on."""

from __future__ import annotations

import itertools
from typing import Any

from organisations.models import Membership, Organisation, Role, User

PASSWORD = "correct-horse-battery-staple"
_seq = itertools.count(1)


def make_organisation(
    *, name: str = "", kind: str = Organisation.Kind.MUNICIPALITY, slug: str = "", **values: Any
) -> Organisation:
    n = next(_seq)
    name = name or f"Testikunta {n}"
    return Organisation.objects.create(name_fi=name, kind=kind, slug=slug or f"testikunta-{n}", **values)


def make_user(*, username: str = "", language: str = "fi", password: str = PASSWORD, **values: Any) -> User:
    n = next(_seq)
    username = username or f"user{n}"
    values.setdefault("email", f"{username}@example.invalid")
    values.setdefault("name", f"Person {n}")
    values.setdefault("email_verified", True)
    user = User(username=username, language=language, **values)
    user.set_password(password)
    user.save()
    return user


def make_member(*, organisation: Organisation, role: str = Role.EDITOR, user: User | None = None) -> User:
    user = user or make_user()
    Membership.objects.create(user=user, organisation=organisation, role=role)
    if user.home_organisation_id is None:  # the first organisation is the one that created the account
        user.home_organisation = organisation
        user.save(update_fields=["home_organisation"])
    return user
