"""Background work of the organisations app (run by the worker: `manage.py db_worker`)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from organisations.models import Organisation, User
from organisations.tokens import invitation_tokens


@task()
def send_membership_email(*, user_id: int, organisation_id: int, invited: bool, invited_by_id: int) -> None:
    """Tell a person they were added to an organisation; a new person gets a link to set a password."""
    user = User.objects.get(pk=user_id)
    organisation = Organisation.objects.get(pk=organisation_id)
    inviter = User.objects.filter(pk=invited_by_id).first()
    with translation.override(user.language):
        context = {
            "user": user,
            "organisation": organisation,
            "inviter": inviter,
            "site_url": settings.SITE_URL,
            "organisation_url": settings.SITE_URL + reverse("organisation_home", args=[organisation.slug]),
            "days": settings.INVITATION_TIMEOUT_SECONDS // 86400,
        }
        if invited:
            uid = urlsafe_base64_encode(force_bytes(user.pk))
            token = invitation_tokens.make_token(user)
            context["accept_url"] = settings.SITE_URL + reverse(
                "organisations:invitation_accept", args=[uid, token]
            )
            template = "organisations/email/invitation"
        else:
            template = "organisations/email/added"
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}.txt", context)
    send_mail(subject, body, None, [user.email])
