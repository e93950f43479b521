"""Tenants (organisations), people (users) and who may do what where (memberships)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from organisations.base import TrackedModel
from organisations.collation import sorted_finnish

LANGUAGE_CHOICES = [("fi", "suomi"), ("sv", "svenska"), ("en", "English")]


@dataclass(frozen=True)
class LocalText:
    """A text and the language it is written in, so templates can mark it with `lang`."""

    text: str
    lang: str

    def __str__(self) -> str:
        return self.text


def pick_language(values: dict[str, str], language: str | None = None) -> LocalText:
    """The text in the UI language, else Finnish, else Swedish, else English: never a made-up one."""
    language = (language or get_language() or "fi")[:2]
    for lang in (language, "fi", "sv", "en"):
        if values.get(lang):
            return LocalText(values[lang], lang)
    return LocalText("", language)


class Role(models.TextChoices):
    VIEWER = "viewer", _("viewer")
    EDITOR = "editor", _("editor")
    ADMIN = "admin", _("admin")
    STEWARD = "steward", _("steward")

    @property
    def rank(self) -> int:
        # A steward edits the shared libraries; inside the association it counts as an editor.
        return {"viewer": 1, "editor": 2, "steward": 2, "admin": 3}[self.value]


# The username of an erased person (organisations.gdpr): this prefix and the row id.
ERASED_PREFIX = "erased-"


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["password", "last_login"],
)
class User(AbstractUser):
    """A person who signs in; their UI language follows them across devices."""

    name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES, default="fi")

    class Digest(models.TextChoices):
        DAILY = "daily", _("daily")
        WEEKLY = "weekly", _("weekly")
        OFF = "off", _("off")

    digest = models.CharField(
        _("reminder email"),
        max_length=6,
        choices=Digest.choices,
        default=Digest.WEEKLY,
        help_text=_("A summary of what is due and overdue, at most once a day."),
    )
    last_digest_on = models.DateField(_("last reminder email"), null=True, blank=True, editable=False)
    # The one organisation whose identity service may sign this account in (organisations.identity):
    # set when the organisation creates the account by an invitation, never by another organisation.
    home_organisation = models.ForeignKey(
        "Organisation",
        verbose_name=_("home organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="home_users",
    )
    # The address has been proven by a link sent to it (an invitation, a password reset or an email
    # change). Only a verified address ever matches an invitation or an identity service's claim.
    email_verified = models.BooleanField(_("email address verified"), default=False, editable=False)
    # Bumped to end every session of the user at once (removal from an organisation, sign out everywhere).
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("email"),
                condition=~models.Q(email=""),
                name="user_email_unique_ci",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.is_erased:
            return str(_("erased person"))
        return self.name or self.get_full_name() or self.username

    @property
    def is_erased(self) -> bool:
        """Anonymised on request (organisations.gdpr): the row stays so that the history holds together."""
        return self.username.startswith(ERASED_PREFIX) and not self.is_active

    def _get_session_auth_hash(self, secret: Any = None) -> str:
        # Django checks this hash on every request; mixing in the epoch lets end_sessions() sign the
        # user out of every device without scanning the session table.
        key_salt = "organisations.User.session_auth_hash"
        return salted_hmac(
            key_salt, f"{self.password}:{self.session_epoch}", secret=secret, algorithm="sha256"
        ).hexdigest()

    def end_sessions(self) -> None:
        """End every session of this user (they must sign in again)."""
        type(self).objects.filter(pk=self.pk).update(session_epoch=models.F("session_epoch") + 1)
        self.refresh_from_db(fields=["session_epoch"])


class Region(models.Model):
    """A region (maakunta) of the official classification, or the demo's fictional one."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    name_fi = models.CharField(_("name in Finnish"), max_length=100)
    name_sv = models.CharField(_("name in Swedish"), max_length=100, blank=True)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return str(self.name)

    @property
    def name(self) -> LocalText:
        return pick_language({"fi": self.name_fi, "sv": self.name_sv, "en": self.name_en})


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def for_user(self, user: Any) -> OrganisationQuerySet:
        """Organisations the user is a member of."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(memberships__user=user).distinct()

    def association(self) -> Organisation:
        return self.get(kind=Organisation.Kind.ASSOCIATION)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Organisation(TrackedModel):
    """A tenant: a municipality, a regional council or the association (Kuntaliitto)."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("municipality")
        REGIONAL_COUNCIL = "regional_council", _("regional council")
        ASSOCIATION = "association", _("association")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(
        _("official code"),
        max_length=3,
        blank=True,
        help_text=_("Three-digit municipality code or two-digit region code."),
    )
    name_fi = models.CharField(_("name in Finnish"), max_length=200)
    name_sv = models.CharField(_("name in Swedish"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    slug = models.SlugField(_("address name"), max_length=80, unique=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_date = models.DateField(_("population on"), null=True, blank=True)
    content_language = models.CharField(
        _("content language"),
        max_length=2,
        choices=[("fi", "suomi"), ("sv", "svenska")],
        default="fi",
        help_text=_("The language the organisation's own texts are written in."),
    )
    shares_indicator_data = models.BooleanField(
        _("share indicator data for comparison"),
        default=False,
        help_text=_(
            "When on, values of indicators adopted from the shared library appear in national comparisons."
        ),
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    is_demo = models.BooleanField(_("demo organisation"), default=False, editable=False)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name_fi"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code"], condition=~models.Q(code=""), name="organisation_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return str(self.name)

    @property
    def name(self) -> LocalText:
        return pick_language({"fi": self.name_fi, "sv": self.name_sv, "en": self.name_en})

    @property
    def is_association(self) -> bool:
        return self.kind == self.Kind.ASSOCIATION


class MembershipQuerySet(models.QuerySet["Membership"]):
    def for_user(self, user: Any) -> MembershipQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user, user__is_active=True).select_related("organisation")

    def admins(self) -> MembershipQuerySet:
        return self.filter(role=Role.ADMIN)

    def sorted_by_organisation(self) -> list[Membership]:
        return sorted_finnish(self, key=lambda m: str(m.organisation.name))


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Membership(TrackedModel):
    """A user's role in one organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
        ]
        triggers = [
            # A CHECK constraint cannot look at another table, so the rule "steward only in the
            # association" is a trigger: the database refuses it whatever code path writes the row.
            pgtrigger.Trigger(
                name="steward_only_in_association",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func="""
                IF NEW.role = 'steward' AND NOT EXISTS (
                    SELECT 1 FROM organisations_organisation
                    WHERE id = NEW.organisation_id AND kind = 'association'
                ) THEN
                    RAISE EXCEPTION 'the steward role exists only in the association'
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
                """,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}: {self.role}"

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def has_role(self, needed: Role) -> bool:
        """Whether this membership is at least `needed` (steward is its own kind of right)."""
        if needed == Role.STEWARD:
            return self.role == Role.STEWARD
        return self.role_enum.rank >= needed.rank

    @property
    def can_edit(self) -> bool:
        return self.has_role(Role.EDITOR)

    @property
    def can_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    @property
    def opens_national_view(self) -> bool:
        """The national comparison is open to the association's stewards and to every member of an
        organisation that shares its indicator data (the one place this rule is decided)."""
        return self.role == Role.STEWARD or self.organisation.shares_indicator_data


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        return self.filter(status=Invitation.Status.PENDING)

    def open(self) -> InvitationQuerySet:
        """Pending and not expired: the invitations a person can still accept."""
        since = timezone.now() - timedelta(seconds=settings.INVITATION_TIMEOUT_SECONDS)
        return self.pending().filter(created_at__gt=since)

    def for_user(self, user: Any) -> InvitationQuerySet:
        """Invitations to the user's address, only once the address is verified (the one matching rule)."""
        if not getattr(user, "is_authenticated", False) or not (user.email_verified and user.email):
            return self.none()
        return self.filter(email__iexact=user.email)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Invitation(models.Model):
    """An organisation's offer of a membership to a person who already has an account elsewhere.

    The membership exists only once the person, signed in with a verified address equal to `email`,
    accepts it: an admin can never attach somebody else's account by typing its address.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        CANCELLED = "cancelled", _("cancelled")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"), max_length=254)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "organisation",
                models.functions.Lower("email"),
                condition=models.Q(status="pending"),
                name="invitation_one_pending_per_address",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} @ {self.organisation}: {self.role} ({self.status})"

    @property
    def expires_at(self) -> Any:
        return self.created_at + timedelta(seconds=settings.INVITATION_TIMEOUT_SECONDS)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PENDING and timezone.now() < self.expires_at

    def answer_path(self) -> str:
        """The page where the invited person accepts or declines: the id in it is signed."""
        from organisations.tokens import invitation_token

        return reverse("organisations:invitation_answer", args=[invitation_token(self.pk)])

    def is_for(self, user: Any) -> bool:
        """Whether `user` may answer it: signed in with a verified address equal to the invitation's."""
        return (
            getattr(user, "is_authenticated", False)
            and user.is_active
            and user.email_verified
            and bool(user.email)
            and user.email.lower() == self.email.lower()
        )


class ScheduledRun(models.Model):
    """A periodic job claimed for one day, so that it is enqueued once however many schedulers run."""

    name = models.CharField(max_length=100)
    day = models.DateField()
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "day"], name="scheduled_run_once_a_day")]

    def __str__(self) -> str:
        return f"{self.name} {self.day}"


class DataChange(models.Model):
    """One statement that changed an organisation's data: written by database triggers, read as a version.

    The count of an organisation's rows is its data version (organisations.data_version): it grows with every
    committed change, so anything computed from the organisation's data and kept under that version (the
    dashboard) is never served after a change. Rows are only ever inserted, one per statement and
    organisation, so writers never wait for each other here (a counter row would lock every writer of the
    organisation until the first one commits).
    """

    id = models.BigAutoField(primary_key=True)
    organisation_id = models.BigIntegerField(db_index=True)  # no foreign key: nothing to lock or cascade
    changed_at = models.DateTimeField(db_default=Now())

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.changed_at}"
