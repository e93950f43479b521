"""Member management: the writes that touch several models at once."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from organisations.models import Membership, Organisation, Role, User
from organisations.tasks import send_membership_email


class MembershipError(Exception):
    """A member change that the rules do not allow; the message is for the user."""


def _lock_admins(organisation: Organisation) -> list[Membership]:
    # Locking the admin rows makes "at least one admin remains" hold even when two admins demote
    # each other at the same moment.
    return list(Membership.objects.select_for_update().filter(organisation=organisation, role=Role.ADMIN))


def _check_role_allowed(organisation: Organisation, role: str) -> None:
    if role == Role.STEWARD and not organisation.is_association:
        raise MembershipError(_("The steward role exists only in the association."))


@transaction.atomic
def add_member(*, organisation: Organisation, email: str, role: str, name: str = "", by: Any) -> Membership:
    """Give an existing user the membership, or create the person and invite them by email."""
    _check_role_allowed(organisation, role)
    email = email.strip()
    user = User.objects.filter(email__iexact=email).first()
    invited = user is None
    if user is None:
        user = User(username=email.lower(), email=email, name=name.strip(), language=by.language)
        user.set_unusable_password()
        user.save()
    elif Membership.objects.filter(user=user, organisation=organisation).exists():
        raise MembershipError(_("%(email)s is already a member.") % {"email": email})
    membership = Membership(user=user, organisation=organisation, role=role)
    membership.save_new(by=by)
    transaction.on_commit(
        lambda: send_membership_email.enqueue(
            user_id=user.pk, organisation_id=organisation.pk, invited=invited, invited_by_id=by.pk
        )
    )
    return membership


@transaction.atomic
def change_role(*, membership: Membership, role: str, expected_version: int, by: Any) -> Membership:
    """Change a member's role; the last administrator cannot be demoted."""
    _check_role_allowed(membership.organisation, role)
    admins = _lock_admins(membership.organisation)
    # The stored role decides, not the instance: form validation has already put the new role on it.
    was_admin = any(admin.pk == membership.pk for admin in admins)
    if was_admin and role != Role.ADMIN and len(admins) <= 1:
        raise MembershipError(_("The organisation must keep at least one administrator."))
    membership.role = role
    membership.save_if_current(expected_version=expected_version, by=by)
    return membership


@transaction.atomic
def remove_member(*, membership: Membership, by: Any) -> None:
    """Remove a member and end their sessions; the last administrator cannot be removed."""
    admins = _lock_admins(membership.organisation)
    if any(admin.pk == membership.pk for admin in admins) and len(admins) <= 1:
        raise MembershipError(_("The organisation must keep at least one administrator."))
    user = membership.user
    membership.delete()
    user.end_sessions()
