"""Views of the organisations app: members, organisation settings, the person's own account."""

from __future__ import annotations

from typing import Any, cast

from allauth.account.views import LoginView
from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from organisations.base import StaleEdit, conflict_message, saved_if_current
from organisations.collation import finnish_key
from organisations.forms import (
    AccountForm,
    EmailChangeForm,
    MemberAddForm,
    MemberRoleForm,
    OrganisationSettingsForm,
    account_fingerprint,
)
from organisations.identity import mfa_status
from organisations.middleware import SUPPORTED
from organisations.models import Invitation, Membership, Role, User
from organisations.params import next_url
from organisations.services import (
    AccountError,
    MembershipError,
    accept_invitation,
    add_member,
    cancel_invitation,
    change_role,
    confirm_email_change,
    decline_invitation,
    remove_member,
    request_email_change,
)
from organisations.signin import identity_services, sign_in_page_csp
from organisations.tenancy import TenantRequest, tenant_view
from organisations.tokens import email_change_from_token, invitation_id_from_token, invitation_tokens


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
                added = add_member(organisation=organisation, by=request.user, **form.cleaned_data)
            except MembershipError as error:
                form.add_error("email", str(error))
            else:
                if isinstance(added, Invitation):
                    message = _(
                        "%(email)s already has an account, so we sent them an invitation. They become "
                        "%(role)s when they accept it."
                    ) % {"email": added.email, "role": added.get_role_display()}
                else:
                    message = _("%(email)s was added as %(role)s. We sent them an email.") % {
                        "email": added.user.email,
                        "role": added.get_role_display(),
                    }
                messages.success(request, message)
                return redirect("organisations:member_list", organisation.slug)
        status = 422
    rows = [(m, MemberRoleForm(instance=m, prefix=f"m{m.pk}")) for m in _members(request)]
    invitations = organisation.invitations.open().select_related("invited_by").order_by("created_at")
    return TemplateResponse(
        request,
        "organisations/member_list.html",
        {"tenant": request.tenant, "rows": rows, "form": form, "invitations": list(invitations)},
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
def invitation_cancel(request: TenantRequest, pk: int) -> HttpResponse:
    """Confirm, then withdraw an invitation that has not been answered."""
    organisation = request.tenant.organisation
    invitation = get_object_or_404(organisation.invitations.pending(), pk=pk)
    error = ""
    if request.method == "POST":
        try:
            cancel_invitation(invitation=invitation, by=request.user)
        except MembershipError as exc:
            error = str(exc)
        else:
            messages.success(
                request, _("The invitation to %(email)s was cancelled.") % {"email": invitation.email}
            )
            url = reverse("organisations:member_list", args=[organisation.slug])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    return TemplateResponse(
        request,
        "organisations/invitation_cancel.html",
        {"tenant": request.tenant, "invitation": invitation, "error": error},
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
    """The person's own name, interface language and reminders, their email address (changed on its own
    page) and whether one-time codes are on."""
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
                return TemplateResponse(request, "organisations/account_settings.html", context, status=409)
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


@require_http_methods(["GET", "POST"])
def email_change(request: HttpRequest) -> HttpResponse:
    """Ask for a new email address: it takes effect when the person opens the link sent to it."""
    form = EmailChangeForm(request.POST or None, request=request)
    if request.method == "POST":
        if form.is_valid():
            request_email_change(user=cast(User, request.user), new_email=form.cleaned_data["email"])
            messages.success(
                request,
                _(
                    "We sent a link to %(email)s. Open it while signed in to start using the new address; "
                    "until then your address stays as it is."
                )
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("organisations:account")
        return TemplateResponse(request, "organisations/email_change.html", {"form": form}, status=422)
    return TemplateResponse(request, "organisations/email_change.html", {"form": form})


@require_http_methods(["GET", "POST"])
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Open the link sent to a new address: a button confirms it (a GET changes nothing)."""
    change = email_change_from_token(token)
    if change is None:
        return TemplateResponse(request, "organisations/email_confirm.html", {"change": None}, status=404)
    error = ""
    if change.user_id != request.user.pk:
        error = _("This link is for another account. Sign in as the person who asked for it.")
    elif request.method == "POST":
        try:
            confirm_email_change(change=change, user=request.user)
        except AccountError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Your email address is now %(email)s.") % {"email": change.new})
            return redirect("organisations:account")
    return TemplateResponse(
        request,
        "organisations/email_confirm.html",
        {"change": change, "error": error},
        status=403 if change.user_id != request.user.pk else (409 if error else 200),
    )


def _invitation_state(invitation: Invitation, user: User) -> str:
    """What the invitation page says to this person: one of other, open, accepted, declined, closed."""
    if not invitation.is_for(user):
        return "other"
    if invitation.is_open:
        return "open"
    if invitation.status in {Invitation.Status.ACCEPTED, Invitation.Status.DECLINED}:
        return str(invitation.status)
    return "closed"  # expired or cancelled


@require_http_methods(["GET", "POST"])
def invitation_answer(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation to a person with an account: they accept or decline it here, signed in with the
    verified address it was sent to (the link carries the signed invitation id)."""
    invitation_id = invitation_id_from_token(token)
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by").filter(pk=invitation_id).first()
        if invitation_id is not None
        else None
    )
    if invitation is None:
        return TemplateResponse(
            request, "organisations/invitation_answer.html", {"invitation": None}, status=404
        )
    user = cast(User, request.user)
    error = ""
    if request.method == "POST" and _invitation_state(invitation, user) != "other":
        answer = request.POST.get("answer", "")
        try:
            if answer == "accept":
                membership = accept_invitation(invitation_id=invitation.pk, user=user)
                messages.success(
                    request,
                    _("You are now a member of %(org)s as %(role)s.")
                    % {"org": membership.organisation.name, "role": membership.get_role_display()},
                )
                return redirect("organisation_home", membership.organisation.slug)
            if answer == "decline":
                decline_invitation(invitation_id=invitation.pk, user=user)
                messages.success(request, _("You declined the invitation."))
                return redirect("start")
            error = _("Choose whether to accept or decline the invitation.")
        except MembershipError as exc:
            error = str(exc)
        invitation.refresh_from_db()
    state = _invitation_state(invitation, user)
    status = {"other": 403, "closed": 410}.get(state, 409 if error else 200)
    return TemplateResponse(
        request,
        "organisations/invitation_answer.html",
        {
            "invitation": invitation,
            "state": state,
            "error": error,
            "unverified": bool(user.email) and not user.email_verified,
        },
        status=status,
    )


@login_not_required
@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Switch the UI language: stored on the signed-in user and in a cookie for the sign-in page."""
    language = request.POST.get("language", "")
    # A path, never a view's name: redirect() would look up "²" as one and fail.
    response = HttpResponseRedirect(next_url(request, request.POST.get("next"), "/"))
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


class PasswordResetView(auth_views.PasswordResetView):
    """Django's request for a reset link, throttled per client address and per typed address (allauth's
    "reset_password" rates, ACCOUNT_RATE_LIMITS). The answer is the same whether or not an account has
    the address, so the throttle tells nobody which addresses exist."""

    def form_valid(self, form: Any) -> HttpResponse:
        address = str(form.cleaned_data["email"]).strip().lower()
        if not ratelimit.consume(self.request, action="reset_password", key=address):
            form.add_error(
                None,
                _(
                    "Too many reset links were asked for this address or from your network. Wait a few "
                    "minutes and try again; a link that was already sent still works."
                ),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, with every try counted per person (allauth's "change_password" rate):
    a borrowed session cannot guess the current password without end. A refused try checks nothing, so
    its answer tells nothing about the password."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not ratelimit.consume(request, action="change_password", user=request.user):
            messages.error(request, _("Too many attempts. Wait a minute and try again."))
            form = self.get_form_class()(user=cast(User, request.user))  # unbound: nothing typed is kept
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Set a new password through the link emailed to the account's address, which proves the address."""

    def form_valid(self, form: Any) -> HttpResponse:
        form.user.email_verified = True  # saved with the password by the form
        return super().form_valid(form)


class InvitationAcceptView(PasswordResetConfirmView):
    """An invited person sets their password through the signed link, then is signed in."""

    token_generator = invitation_tokens
    template_name = "organisations/invitation_accept.html"
    post_reset_login = True
    post_reset_login_backend = "allauth.account.auth_backends.AuthenticationBackend"
    reset_url_token = "set-password"  # noqa: S105  (a URL segment, not a secret)

    def get_success_url(self) -> str:
        return reverse("start")


invitation_accept = InvitationAcceptView.as_view()
password_reset = PasswordResetView.as_view()
password_change = PasswordChangeView.as_view()
password_reset_confirm = PasswordResetConfirmView.as_view()


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
