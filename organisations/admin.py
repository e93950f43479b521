"""The operator's Django admin: people, with the GDPR erasure as an action."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from organisations.gdpr import erase_person
from organisations.models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["username", "name", "email", "is_active", "last_login"]
    search_fields = ["username", "name", "email"]
    fields = ["username", "name", "email", "language", "is_active", "is_staff", "is_superuser"]
    actions = ["erase"]

    @admin.action(description=_("Erase the selected people (GDPR): anonymise, keep the history"))
    def erase(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = 0
        for user in queryset:
            if user.pk == request.user.pk:
                continue  # an operator does not erase themselves by a slip of the checkbox
            erase_person(user, by=request.user)
            count += 1
        messages.success(request, _("%(count)s people were erased.") % {"count": count})

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        # An address typed here has not been proven by a link sent to it: it matches no invitation and no
        # identity service's claim until the person confirms it (Your settings, or a password reset).
        if "email" in form.changed_data:
            obj.email_verified = False
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deleting a person would break the history; erase them instead
