"""Background work of the organisations app (run by the worker: `manage.py db_worker`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from organisations.models import Invitation, Organisation, User
from organisations.tokens import EmailChange, email_change_token, invitation_tokens


def _send(template: str, context: dict[str, Any], language: str, to: str) -> None:
    """Render `<template>_subject.txt` and `<template>.txt` in `language` and send them to one address."""
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}.txt", context)
    send_mail(subject, body, None, [to])


def _days(seconds: int) -> int:
    return max(1, seconds // 86400)


@task()
def send_membership_email(*, user_id: int, organisation_id: int, invited_by_id: int) -> None:
    """Invite a person who has no account yet: a link to set the password of the account just made."""
    user = User.objects.get(pk=user_id)
    organisation = Organisation.objects.get(pk=organisation_id)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    context = {
        "user": user,
        "organisation": organisation,
        "inviter": User.objects.filter(pk=invited_by_id).first(),
        "site_url": settings.SITE_URL,
        "days": _days(settings.INVITATION_TIMEOUT_SECONDS),
        "accept_url": settings.SITE_URL
        + reverse("organisations:invitation_accept", args=[uid, invitation_tokens.make_token(user)]),
    }
    _send("organisations/email/invitation", context, user.language, user.email)


@task()
def send_invitation_email(*, invitation_id: int) -> None:
    """Invite a person who already has an account: a link to the page where they accept or decline."""
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by").filter(pk=invitation_id).first()
    )
    if invitation is None or invitation.status != Invitation.Status.PENDING:
        return  # cancelled before the worker got to it
    account = User.objects.filter(email__iexact=invitation.email).first()
    inviter = invitation.invited_by
    reader = account or inviter  # the person's own language, else the inviter's
    language = reader.language if reader is not None else settings.LANGUAGE_CODE
    with translation.override(language):
        role = invitation.get_role_display()
    context = {
        "organisation": invitation.organisation,
        "inviter": inviter,
        "role": role,
        "days": _days(settings.INVITATION_TIMEOUT_SECONDS),
        "answer_url": settings.SITE_URL + invitation.answer_path(),
    }
    _send("organisations/email/membership_invitation", context, language, invitation.email)


@task()
def send_email_change_link(*, user_id: int, old: str, new: str) -> None:
    """The confirmation link for a new address, sent to that address (the token is made here, so it is
    never stored in the task queue)."""
    user = User.objects.get(pk=user_id)
    token = email_change_token(EmailChange(user_id=user.pk, old=old, new=new))
    context = {
        "user": user,
        "new": new,
        "hours": settings.EMAIL_CHANGE_TIMEOUT_SECONDS // 3600,
        "confirm_url": settings.SITE_URL + reverse("organisations:email_confirm", args=[token]),
    }
    _send("organisations/email/email_change", context, user.language, new)


@task()
def send_email_changed_notice(*, user_id: int, old: str, new: str) -> None:
    """Tell the old address that the account's address was changed (so a takeover does not go unseen)."""
    user = User.objects.get(pk=user_id)
    context = {"user": user, "old": old, "new": new, "site_url": settings.SITE_URL}
    _send("organisations/email/email_changed", context, user.language, old)
