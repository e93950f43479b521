"""Erasing a person (GDPR art. 17) without breaking the audit history.

The rule: the user row stays, so every audit event, "created by" and "updated by" still points at a row,
but it no longer says who it was: the name, email and username are replaced, the account can never sign
in again, and the history shows "erased person". The person's memberships are removed (their removal is
recorded in the history like any other), their sessions end, and the sign-in throttling records of the
username are deleted. The copies of the person's own row kept in the audit history (the user's events)
are anonymised the same way. Invitations sent to the person's address lose the address (an unanswered
one is cancelled), in the rows and in their audit events. Free text that others wrote about the person
(a description naming them) is not searched: the organisation edits it if needed.
"""

from __future__ import annotations

from typing import Any

import pghistory
from django.apps import apps
from django.db import transaction

from organisations.models import ERASED_PREFIX, Invitation, Membership, User

# The personal columns of the user row (and of its audit events).
PERSONAL = {"username", "email", "name", "first_name", "last_name"}


def find_person(identifier: str) -> User | None:
    """A user by username or email (case-insensitive)."""
    return (
        User.objects.filter(username=identifier).first()
        or User.objects.filter(email__iexact=identifier).exclude(email="").first()
    )


@transaction.atomic
def erase_person(user: User, *, by: Any = None) -> None:
    """Anonymise `user` in place, following the rule in this module's docstring."""
    old_username, old_email = user.username, user.email
    with pghistory.context(erasure=True, user=getattr(by, "pk", None)):
        Membership.objects.filter(user=user).delete()
        if old_email:
            _erase_invitations(old_email)
        anonymous = {
            "username": f"{ERASED_PREFIX}{user.pk}",
            "email": "",
            "name": "",
            "first_name": "",
            "last_name": "",
        }
        for name, value in anonymous.items():
            setattr(user, name, value)
        user.is_active = False
        user.is_staff = user.is_superuser = False
        user.digest = User.Digest.OFF
        user.set_unusable_password()
        user.session_epoch += 1  # every session of the person ends
        user.save()
        # The audit history keeps copies of the user row: they lose the identity too.
        event_model = apps.get_model("organisations", "UserEvent")
        event_model.objects.filter(pgh_obj_id=user.pk).update(**anonymous)  # type: ignore[attr-defined]
    for model_name in ("AccessAttempt", "AccessLog", "AccessFailureLog"):
        try:
            model = apps.get_model("axes", model_name)
        except LookupError:
            continue
        model._default_manager.filter(username=old_username).delete()


def _erase_invitations(email: str) -> None:
    """Invitations to the address keep their organisation, role and dates but not the address."""
    invitations = Invitation.objects.filter(email__iexact=email)
    # An unanswered one is cancelled first: it could be accepted by nobody, and the blank address must not
    # meet another pending one in the "one pending invitation per address" rule.
    invitations.filter(status=Invitation.Status.PENDING).update(status=Invitation.Status.CANCELLED)
    invitations.update(email="")
    event_model = apps.get_model("organisations", "InvitationEvent")
    event_model.objects.filter(email__iexact=email).update(email="")  # type: ignore[attr-defined]
