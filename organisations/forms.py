"""Forms of the organisations app."""

from __future__ import annotations

import hashlib
from typing import Any, cast

from django import forms
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
    language = forms.ChoiceField(label=_("Language of the interface"), choices=LANGUAGE_CHOICES)
    # Optimistic concurrency: the second of two stale saves (two tabs, two devices) gets a conflict.
    loaded = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = User
        fields = ["name", "email", "language", "digest"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["name"].widget.attrs.update(autocomplete="name")
        self.fields["email"].widget.attrs.update(autocomplete="email")
        if not self.is_bound and self.instance.pk:
            self.initial["loaded"] = account_fingerprint(self.instance)

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another account already uses this email address."))
        return email
