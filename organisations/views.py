"""Views of the organisations app: members, organisation settings, the person's own account."""

from __future__ import annotations

from typing import Any

from allauth.account.views import LoginView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from organisations.base import StaleEdit, conflict_message, saved_if_current
from organisations.collation import finnish_key
from organisations.forms import (
    AccountForm,
    MemberAddForm,
    MemberRoleForm,
    OrganisationSettingsForm,
    account_fingerprint,
)
from organisations.identity import mfa_status
from organisations.middleware import SUPPORTED
from organisations.models import Membership, Role, User
from organisations.services import MembershipError, add_member, change_role, remove_member
from organisations.signin import identity_services, sign_in_page_csp
from organisations.tenancy import TenantRequest, tenant_view
from organisations.tokens import invitation_tokens


def _members(request: TenantRequest) -> list[Membership]:
    return sorted(
        Membership.objects.filter(organisation=request.tenant.organisation).select_related(
            "user", "organisation"
        ),
        key=lambda m: (-m.role_enum.rank, finnish_key(m.user.display_name)),
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@tenant_view(read=Role.ADMIN, write=Role.ADMIN)
def member_list(request: TenantRequest) -> HttpResponse:
    """The members of the organisation, with a form to add one."""
    organisation = request.tenant.organisation
    form = MemberAddForm(request.POST or None, organisation=organisation)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                membership = add_member(organisation=organisation, by=request.user, **form.cleaned_data)
            except MembershipError as error:
                form.add_error("email", str(error))
            else:
                messages.success(
                    request,
                    _("%(email)s was added as %(role)s. We sent them an email.")
                    % {"email": membership.user.email, "role": membership.get_role_display()},
                )
                return redirect("organisations:member_list", organisation.slug)
        status = 422
    rows = [(m, MemberRoleForm(instance=m, prefix=f"m{m.pk}")) for m in _members(request)]
    return TemplateResponse(
        request,
        "organisations/member_list.html",
        {"tenant": request.tenant, "rows": rows, "form": form},
        status=status,
    )


@require_POST
@vary_on_headers("HX-Request")
@tenant_view(read=Role.ADMIN, write=Role.ADMIN)
def member_role(request: TenantRequest, pk: int) -> HttpResponse:
    """Change one member's role; with htmx the row is re-rendered in place."""
    organisation = request.tenant.organisation
    membership = get_object_or_404(organisation.memberships.select_related("user", "organisation"), pk=pk)
    form = MemberRoleForm(request.POST, instance=membership, prefix=f"m{membership.pk}")
    message, ok = "", False
    if form.is_valid():
        try:
            change_role(
                membership=membership,
                role=form.cleaned_data["role"],
                expected_version=form.cleaned_data["version"],
                by=request.user,
            )
        except StaleEdit:
            message = conflict_message()
        except MembershipError as error:
            message = str(error)
        else:
            ok = True
            message = _("The role of %(name)s is now %(role)s.") % {
                "name": membership.user.display_name,
                "role": membership.get_role_display(),
            }
            form = MemberRoleForm(instance=membership, prefix=f"m{membership.pk}")
    else:
        message = _("Choose one of the roles in the list.")
    if request.htmx:
        # Feeds the table row #member-<pk>; the message goes to the live region out of band.
        return TemplateResponse(
            request,
            "organisations/member_list.html#member-row",
            {
                "tenant": request.tenant,
                "membership": membership,
                "role_form": form,
                "message": message,
                "message_ok": ok,
            },
        )
    (messages.success if ok else messages.error)(request, message)
    return redirect("organisations:member_list", organisation.slug)


@require_http_methods(["GET", "POST"])
@tenant_view(read=Role.ADMIN, write=Role.ADMIN)
def member_remove(request: TenantRequest, pk: int) -> HttpResponse:
    """Confirm, then remove a member (their sessions end)."""
    organisation = request.tenant.organisation
    membership = get_object_or_404(organisation.memberships.select_related("user", "organisation"), pk=pk)
    error = ""
    if request.method == "POST":
        try:
            remove_member(membership=membership, by=request.user)
        except MembershipError as exc:
            error = str(exc)
        else:
            messages.success(
                request, _("%(name)s is no longer a member.") % {"name": membership.user.display_name}
            )
            if membership.user_id == request.user.pk:
                return redirect("start")
            url = reverse("organisations:member_list", args=[organisation.slug])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    return TemplateResponse(
        request,
        "organisations/member_remove.html",
        {"tenant": request.tenant, "membership": membership, "error": error},
        status=409 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@tenant_view(read=Role.ADMIN, write=Role.ADMIN)
def organisation_settings(request: TenantRequest) -> HttpResponse:
    """The organisation's own settings: content language and the opt-in to share indicator data."""
    organisation = request.tenant.organisation
    form = OrganisationSettingsForm(request.POST or None, instance=organisation)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            if not saved_if_current(form, by=request.user):
                messages.error(request, conflict_message())  # announced in the live region
                status = 409
            else:
                messages.success(request, _("The settings were saved."))
                return redirect("organisations:settings", organisation.slug)
        else:
            status = 422
    return TemplateResponse(
        request,
        "organisations/organisation_settings.html",
        {"tenant": request.tenant, "form": form},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def account_settings(request: HttpRequest) -> HttpResponse:
    """The person's own name, email and interface language, and whether one-time codes are on."""
    form = AccountForm(request.POST or None, instance=request.user)
    _privileged, has_totp = mfa_status(request.user)
    context = {"form": form, "has_totp": has_totp}
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                stored = User.objects.select_for_update().get(pk=form.instance.pk)
                loaded = form.cleaned_data["loaded"]  # empty only from a hand-made request: no check
                stale = bool(loaded) and loaded != account_fingerprint(stored)
                if not stale:
                    form.save()
            if stale:
                form.add_error(None, conflict_message())
                messages.error(request, conflict_message())  # announced in the live region
                return TemplateResponse(
                    request, "organisations/account_settings.html", {"form": form}, status=409
                )
            messages.success(request, _("Your settings were saved."))
            response = redirect("organisations:account")
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                form.cleaned_data["language"],
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
            )
            return response
        return TemplateResponse(request, "organisations/account_settings.html", context, status=422)
    return TemplateResponse(request, "organisations/account_settings.html", context)


@login_not_required
@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Switch the UI language: stored on the signed-in user and in a cookie for the sign-in page."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = redirect(next_url)
    if language in SUPPORTED:
        if request.user.is_authenticated:
            User.objects.filter(pk=request.user.pk).update(language=language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
        )
    return response


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """An invited person sets their password through the signed link, then is signed in."""

    token_generator = invitation_tokens
    template_name = "organisations/invitation_accept.html"
    post_reset_login = True
    post_reset_login_backend = "allauth.account.auth_backends.AuthenticationBackend"
    reset_url_token = "set-password"  # noqa: S105  (a URL segment, not a secret)

    def get_success_url(self) -> str:
        return reverse("start")


invitation_accept = InvitationAcceptView.as_view()


class SignInView(LoginView):
    """allauth's sign-in (username or email and password, then a one-time code when the person has
    them), with a button for each organisation whose identity service is configured."""

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        context["identity_services"] = identity_services(self.request)
        return context

    def render_to_response(self, context: dict[str, Any], **response_kwargs: Any) -> HttpResponse:
        response = super().render_to_response(context, **response_kwargs)
        policy = sign_in_page_csp(context["identity_services"])
        if policy is not None:
            # What django.views.decorators.csp.csp_override does, for this response only.
            response._csp_config = policy  # type: ignore[attr-defined]
        return response


sign_in = SignInView.as_view()
