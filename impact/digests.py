"""Reminder digests: one email per person at most once a day, in their language."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from impact.reminders import DueItem, digest_is_due, due_items, recipients
from organisations.models import User

PREFERENCE_SALT = "impact.digests.preference"
PREFERENCE_MAX_AGE = 60 * 60 * 24 * 60  # the link in an email works for 60 days


def preference_token(user: User) -> str:
    return signing.dumps({"user": user.pk}, salt=PREFERENCE_SALT)


def user_from_token(token: str) -> User | None:
    """The user a preference link was made for, or None when it is forged or expired."""
    try:
        data = signing.loads(token, salt=PREFERENCE_SALT, max_age=PREFERENCE_MAX_AGE)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=data.get("user"), is_active=True).first()


@dataclass(frozen=True)
class Digest:
    user: User
    subject: str
    body: str
    items: list[DueItem]


def build_digest(user: User, items: list[DueItem], today: dt.date) -> Digest:
    with translation.override(user.language):
        overdue = [i for i in items if i.is_overdue(today)]
        soon = [i for i in items if not i.is_overdue(today)]
        context = {
            "user": user,
            "overdue": overdue,
            "soon": soon,
            "site_url": settings.SITE_URL,
            "preference_url": settings.SITE_URL + reverse("digest_preference", args=[preference_token(user)]),
        }
        subject = render_to_string("impact/email/digest_subject.txt", context).strip()
        body = render_to_string("impact/email/digest.txt", context)
    return Digest(user, subject, body, items)


def digests_for(today: dt.date) -> list[Digest]:
    """Every digest to send today (nothing for people who got one today or chose otherwise)."""
    by_user = recipients(due_items(today=today))
    users = User.objects.filter(pk__in=by_user, is_active=True).exclude(email="")
    return [
        build_digest(user, by_user[user.pk], today)
        for user in users.order_by("pk")
        if digest_is_due(user, today)
    ]


def send_digests(today: dt.date, *, dry_run: bool = False) -> list[Digest]:
    """Send today's digests; each person's send is recorded so a second run the same day sends nothing."""
    digests = digests_for(today)
    if dry_run:
        return digests
    for digest in digests:
        with transaction.atomic():
            # The conditional update claims the day: a second worker or run finds nothing to claim.
            claimed = (
                User.objects.filter(pk=digest.user.pk)
                .exclude(last_digest_on=today)
                .update(last_digest_on=today)
            )
            if claimed:
                send_mail(digest.subject, digest.body, None, [digest.user.email])
    return digests
