"""Forms of the organisations app."""

from __future__ import annotations

import hashlib
import time
from typing import Any, cast

from allauth.account import app_settings as allauth_account_settings
from allauth.account.authentication import get_authentication_records
from allauth.core import ratelimit
from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from organisations.models import LANGUAGE_CHOICES, Membership, Organisation, Role, User


class VersionedFormMixin(forms.BaseForm):
    """Carries the version the editor started from, for the conditional update."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and not self.is_bound:
            self.initial.setdefault("version", instance.version)
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def role_choices(organisation: Organisation) -> list[tuple[str, Any]]:
    """The roles that exist in this organisation (steward only in the association)."""
    return [
        (value, label)
        for value, label in Role.choices
        if value != Role.STEWARD or organisation.is_association
    ]


class MemberAddForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        help_text=_("Used when the person does not have an account yet."),
    )
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = role_choices(organisation)
        self.fields["email"].widget.attrs.update(autocomplete="email")


class MemberRoleForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = role_choices(self.instance.organisation)


class OrganisationSettingsForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["content_language", "shares_indicator_data"]


def account_fingerprint(user: User) -> str:
    """What the account form was loaded with, as one value: the user row has no version column."""
    text = "\x1f".join(str(getattr(user, name)) for name in AccountForm.Meta.fields)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class AccountForm(forms.ModelForm):
    """The person's own name, language and reminders; the email address changes through EmailChangeForm."""

    language = forms.ChoiceField(label=_("Language of the interface"), choices=LANGUAGE_CHOICES)
    # Optimistic concurrency: the second of two stale saves (two tabs, two devices) gets a conflict.
    loaded = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = User
        fields = ["name", "language", "digest"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update(autocomplete="name")
        if not self.is_bound and self.instance.pk:
            self.initial["loaded"] = account_fingerprint(self.instance)


def signed_in_recently(request: HttpRequest) -> bool:
    """Whether the person signed in (or confirmed it is them) within allauth's re-authentication window:
    the proof asked of an account without a password before it changes its address."""
    records = get_authentication_records(request, request.user)  # type: ignore[arg-type]
    latest = max((float(record.get("at", 0)) for record in records), default=0.0)
    return time.time() - latest < allauth_account_settings.REAUTHENTICATION_TIMEOUT


class EmailChangeForm(forms.Form):
    """A new email address, proven by the current password (or a fresh sign-in for an account that has
    none); it takes effect only when the link sent to it is opened."""

    email = forms.EmailField(label=_("New email address"), max_length=254)
    current_password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = cast(User, request.user)
        self.fields["email"].widget.attrs.update(autocomplete="email")
        if not self.user.has_usable_password():
            del self.fields["current_password"]

    @property
    def needs_fresh_sign_in(self) -> bool:
        return "current_password" not in self.fields and not signed_in_recently(self.request)

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip()
        if email.lower() == self.user.email.lower() and self.user.email_verified:
            raise forms.ValidationError(_("This already is your address, and it is confirmed."))
        if User.objects.filter(email__iexact=email).exclude(pk=self.user.pk).exists():
            raise forms.ValidationError(_("Another account already uses this email address."))
        return email

    def clean_current_password(self) -> str:
        password: str = self.cleaned_data["current_password"]
        if not ratelimit.consume(self.request, action="reauthenticate", user=self.user):
            raise forms.ValidationError(_("Too many attempts. Wait a minute and try again."))
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."))
        return password

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.needs_fresh_sign_in:
            raise forms.ValidationError(
                _("For your safety, sign in again before you change your address: sign out and back in.")
            )
        return cleaned
