"""Member management and account changes: the writes that touch several models at once."""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.models import Invitation, Membership, Organisation, Role, User
from organisations.tasks import (
    send_email_change_link,
    send_email_changed_notice,
    send_invitation_email,
    send_membership_email,
)
from organisations.tokens import EmailChange


class MembershipError(Exception):
    """A member change that the rules do not allow; the message is for the user."""


class AccountError(Exception):
    """A change of the person's own account that the rules do not allow; the message is for the user."""


def _lock_admins(organisation: Organisation) -> list[Membership]:
    # Locking the admin rows makes "at least one admin remains" hold even when two admins demote
    # each other at the same moment.
    return list(Membership.objects.select_for_update().filter(organisation=organisation, role=Role.ADMIN))


def _check_role_allowed(organisation: Organisation, role: str) -> None:
    if role == Role.STEWARD and not organisation.is_association:
        raise MembershipError(_("The steward role exists only in the association."))


USERNAME_MAX_LENGTH = User._meta.get_field("username").max_length or 150


def free_username(email: str) -> str:
    """A username for a new account made from its address: the address itself when no account uses it
    (in any letter case), else the address with a number; always within the column's length."""
    base = re.sub(r"[^\w.@+-]", "", email.lower())[: USERNAME_MAX_LENGTH - 4] or "user"
    taken = {
        name.lower()
        for name in User.objects.filter(username__istartswith=base).values_list("username", flat=True)
    }
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


@transaction.atomic
def add_member(
    *, organisation: Organisation, email: str, role: str, name: str = "", by: Any
) -> Membership | Invitation:
    """Invite a person by email.

    A person who already has an account gets an invitation they accept themselves, signed in with that
    address verified (an admin never attaches somebody's account by typing an address). Anyone else gets
    an account whose home is this organisation, the membership, and a link to set a password.
    """
    _check_role_allowed(organisation, role)
    email = email.strip()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return _add_new_person(organisation=organisation, email=email, role=role, name=name, by=by)
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        raise MembershipError(_("%(email)s is already a member.") % {"email": email})
    pending = organisation.invitations.select_for_update().pending().filter(email__iexact=email)
    if any(invitation.is_open for invitation in pending):
        raise MembershipError(
            _("%(email)s has already been invited and has not answered yet.") % {"email": email}
        )
    pending.update(status=Invitation.Status.CANCELLED, answered_at=timezone.now())  # expired ones
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                organisation=organisation, email=email, role=role, invited_by=by
            )
    except IntegrityError as error:  # another admin invited the same address at the same moment
        raise MembershipError(
            _("%(email)s has already been invited and has not answered yet.") % {"email": email}
        ) from error
    transaction.on_commit(lambda: send_invitation_email.enqueue(invitation_id=invitation.pk))
    return invitation


def _add_new_person(*, organisation: Organisation, email: str, role: str, name: str, by: Any) -> Membership:
    user = User(
        username=free_username(email),
        email=email,
        name=name.strip(),
        language=by.language,
        home_organisation=organisation,
    )
    user.set_unusable_password()
    user.save()
    membership = Membership(user=user, organisation=organisation, role=role)
    membership.save_new(by=by)
    transaction.on_commit(
        lambda: send_membership_email.enqueue(
            user_id=user.pk, organisation_id=organisation.pk, invited_by_id=by.pk
        )
    )
    return membership


def _answerable(invitation_id: int, user: Any) -> Invitation:
    """The invitation, locked, when `user` may answer it; otherwise MembershipError."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.is_for(user):
        raise MembershipError(_("This invitation is for another email address."))
    return invitation


@transaction.atomic
def accept_invitation(*, invitation_id: int, user: Any) -> Membership:
    """Make the invited person a member; accepting twice gives the same one membership."""
    invitation = _answerable(invitation_id, user)
    organisation = invitation.organisation
    existing = Membership.objects.filter(user=user, organisation=organisation).first()
    if invitation.status == Invitation.Status.ACCEPTED and existing is not None:
        return existing  # the second click of a double submit, or the link opened again
    if not invitation.is_open:
        raise MembershipError(_("This invitation has expired or was cancelled. Ask for a new one."))
    _check_role_allowed(organisation, invitation.role)
    membership = existing
    if membership is None:
        membership = Membership(user=user, organisation=organisation, role=invitation.role)
        membership.save_new(by=user)
    _close(invitation, Invitation.Status.ACCEPTED, by=user)
    return membership


def _close(invitation: Invitation, status: str, *, by: Any) -> None:
    """An invitation answered (accepted, declined) or withdrawn: it is never reopened."""
    invitation.status = status
    invitation.answered_at, invitation.answered_by = timezone.now(), by
    invitation.save(update_fields=["status", "answered_at", "answered_by"])


@transaction.atomic
def decline_invitation(*, invitation_id: int, user: Any) -> Invitation:
    invitation = _answerable(invitation_id, user)
    if invitation.status == Invitation.Status.DECLINED:
        return invitation
    if not invitation.is_open:
        raise MembershipError(_("This invitation has expired or was cancelled. Ask for a new one."))
    _close(invitation, Invitation.Status.DECLINED, by=user)
    return invitation


@transaction.atomic
def cancel_invitation(*, invitation: Invitation, by: Any) -> None:
    """An admin withdraws an invitation that has not been answered."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.status != Invitation.Status.PENDING:
        raise MembershipError(_("The invitation was already answered."))
    _close(locked, Invitation.Status.CANCELLED, by=by)


@transaction.atomic
def remove_member(*, membership: Membership, by: Any) -> None:
    """Remove a member and end their sessions; the last administrator cannot be removed."""
    admins = _lock_admins(membership.organisation)
    if any(admin.pk == membership.pk for admin in admins) and len(admins) <= 1:
        raise MembershipError(_("The organisation must keep at least one administrator."))
    user = membership.user
    membership.delete()
    user.end_sessions()


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


# --- the person's own email address -------------------------------------------------------------------


def request_email_change(*, user: User, new_email: str) -> None:
    """Send a confirmation link to the new address; nothing changes until it is opened."""
    change = EmailChange(user_id=user.pk, old=user.email, new=new_email.strip())
    send_email_change_link.enqueue(user_id=change.user_id, old=change.old, new=change.new)


@transaction.atomic
def confirm_email_change(*, change: EmailChange, user: Any) -> User:
    """Apply a change whose link was opened by the signed-in `user`: the address becomes the new one,
    verified; the old address gets a notice. The link is void once used (the old address no longer
    matches) and for anyone but the person who asked."""
    if not getattr(user, "is_authenticated", False) or user.pk != change.user_id:
        raise AccountError(_("This link is for another account. Sign in as the person who asked for it."))
    account = User.objects.select_for_update().get(pk=user.pk)
    if account.email.lower() == change.new.lower() and account.email_verified:
        return account  # opened twice
    if account.email.lower() != change.old.lower():
        raise AccountError(_("This link is no longer valid: your address has changed since it was sent."))
    if User.objects.filter(email__iexact=change.new).exclude(pk=account.pk).exists():
        raise AccountError(_("Another account already uses this email address."))
    account.email, account.email_verified = change.new, True
    try:
        with transaction.atomic():
            account.save(update_fields=["email", "email_verified"])
    except IntegrityError as error:  # the address was taken at this very moment
        raise AccountError(_("Another account already uses this email address.")) from error
    if change.old and change.old.lower() != change.new.lower():
        transaction.on_commit(
            lambda: send_email_changed_notice.enqueue(user_id=account.pk, old=change.old, new=change.new)
        )
    return account
