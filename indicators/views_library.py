"""Views of the shared indicator library: all signed in browse it; the association's stewards curate it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from indicators.forms_library import (
    LibraryFilterForm,
    PublishForm,
    RetireForm,
    TemplateEditForm,
    TemplateForm,
)
from indicators.library import (
    THEME_LABELS,
    LibraryError,
    filter_library,
    has_unpublished_changes,
    library_entries,
    library_queryset,
    publish_template,
    published_definition,
    retire_template,
    sdg_goal_choices,
    sdg_picker,
    search_sdg_targets,
    shown_definition,
    template_diff,
    theme_choices,
    theme_label,
    version_history,
)
from indicators.models import IndicatorTemplate
from organisations.base import StaleEdit, saved_if_current
from organisations.models import Membership, Organisation, Role
from organisations.params import parse_ids, parse_text
from organisations.tenancy import AccessDenied

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    class HtmxHttpRequest(HttpRequest):
        htmx: HtmxDetails

else:
    HtmxHttpRequest = HttpRequest

Status = IndicatorTemplate.Status


# --- who may curate ----------------------------------------------------------------------------------


def has_steward_membership(user: Any) -> bool:
    """Whether the user is a steward of the association (the only organisation where the role exists)."""
    return (
        Membership.objects.for_user(user)
        .filter(role=Role.STEWARD, organisation__kind=Organisation.Kind.ASSOCIATION)
        .exists()
    )


def require_steward(request: HttpRequest) -> None:
    """403 with a message for anyone but a steward: the library is theirs to change."""
    if not has_steward_membership(request.user):
        raise AccessDenied(
            _(
                "Only the association's stewards can change the indicator library. "
                "You can browse it and adopt its templates."
            ),
            event="tenancy.role_denied",
            reason="only stewards change the indicator library",
            scope="library",
            needed="steward",
        )


def _fragment(request: HtmxHttpRequest) -> bool:
    return bool(request.htmx and not request.htmx.history_restore_request)


def _template_for(code: str, *, steward: bool) -> IndicatorTemplate:
    """The template by code; drafts and retired ones exist only for stewards (404 for anyone else)."""
    templates = IndicatorTemplate.objects.all() if steward else IndicatorTemplate.objects.published()
    return get_object_or_404(templates, code=code)


# --- browsing ----------------------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def template_list(request: HtmxHttpRequest) -> HttpResponse:
    """The library: search and filters; with htmx only the results are sent back."""
    steward = has_steward_membership(request.user)
    visible = IndicatorTemplate.objects.all() if steward else IndicatorTemplate.objects.published()
    form = LibraryFilterForm(request.GET, themes=theme_choices(visible), steward=steward)
    filters = form.filters()
    entries = library_entries(
        filter_library(library_queryset(include_unpublished=steward), filters), steward=steward
    )
    context = {
        "form": form,
        "filters": filters,
        "entries": entries,
        "steward": steward,
        "sdg_goals": sdg_goal_choices(),
        "filtered": form.active,
    }
    template_name = "indicators/library/template_list.html"
    if _fragment(request):
        # Feeds <section id="library-results">; the count goes to the live region out of band.
        template_name += "#library-results"
        context["announce"] = True
    return TemplateResponse(request, template_name, context)


@dataclass(frozen=True)
class AdoptLink:
    organisation: Organisation
    url: str
    adopted: bool


def _adopt_links(user: Any, template: IndicatorTemplate) -> list[AdoptLink]:
    """Where the user may adopt the template: organisations they edit, if adopting exists at all."""
    if template.status != Status.PUBLISHED:
        return []
    memberships = (
        Membership.objects.for_user(user).filter(role__in=[Role.EDITOR, Role.ADMIN]).sorted_by_organisation()
    )
    adopted = set(template.adoptions.values_list("organisation_id", flat=True)) if memberships else set()
    links = []
    for membership in memberships:
        try:
            url = reverse("indicators:adopt", kwargs={"org_slug": membership.organisation.slug})
        except NoReverseMatch:
            return []  # the adoption page is not part of this installation: no link rather than a broken one
        links.append(
            AdoptLink(
                organisation=membership.organisation,
                url=f"{url}?{urlencode({'template': template.code})}",
                adopted=membership.organisation_id in adopted,
            )
        )
    return links


@require_GET
def template_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One template: its published definition, SDG targets, versions and where to adopt it."""
    steward = has_steward_membership(request.user)
    template = _template_for(code, steward=steward)
    published = published_definition(template)
    unpublished = steward and has_unpublished_changes(template, published)
    return TemplateResponse(
        request,
        "indicators/library/template_detail.html",
        {
            "template": template,
            "definition": shown_definition(template, published),
            "theme": theme_label(template.theme),
            "sdg_targets": list(template.sdg_targets.order_by("sort_key")),
            "history": version_history(template),
            "adoption_count": template.adoptions.values("organisation").distinct().count(),
            "adopt_links": _adopt_links(request.user, template),
            "steward": steward,
            "working_changes": template_diff(published, template.definition_snapshot())
            if unpublished and published is not None
            else [],
            "never_published": published is None,
        },
    )


@require_GET
@vary_on_headers("HX-Request")
def sdg_target_search(request: HtmxHttpRequest) -> HttpResponse:
    """SDG targets by code or words: the picker's parts for htmx, a page to read otherwise."""
    query = parse_text(request.GET.get("sdg_q"), max_length=100)
    if _fragment(request):
        if request.GET.get("part") == "control":
            # Feeds <div id="sdg-search-slot">: the search field exists only where htmx can run it, so
            # without JavaScript no field invites a search that would submit (and lose) the whole form.
            return TemplateResponse(request, "indicators/library/template_form.html#sdg-search-control")
        # Feeds <div id="sdg-picker"> of the template form; the ticked targets come along to stay ticked.
        chosen = parse_ids(request.GET.getlist("sdg_targets"))
        return TemplateResponse(
            request,
            "indicators/library/template_form.html#sdg-picker",
            {"picker": sdg_picker(chosen, query), "announce": True},
        )
    return TemplateResponse(
        request,
        "indicators/library/sdg_targets.html",
        {"query": query.strip(), "targets": list(search_sdg_targets(query))},
    )


# --- curating ----------------------------------------------------------------------------------------


def _chosen_targets(form: TemplateForm) -> list[int]:
    """The ticked SDG targets: as posted, or as the template has them."""
    data: Any = form.data  # a QueryDict when bound
    raw = data.getlist("sdg_targets") if form.is_bound else form.initial.get("sdg_targets") or []
    return parse_ids(str(getattr(value, "pk", value)) for value in raw)


def _form_context(form: TemplateForm, template: IndicatorTemplate | None) -> dict[str, Any]:
    themes = set(THEME_LABELS) | set(
        IndicatorTemplate.objects.exclude(theme="").values_list("theme", flat=True)
    )
    return {
        "form": form,
        "template": template,
        "picker": sdg_picker(_chosen_targets(form)),
        "themes": sorted((theme, theme_label(theme)) for theme in themes),
    }


@require_http_methods(["GET", "POST"])
def template_create(request: HttpRequest) -> HttpResponse:
    """A new template, saved as a draft that only stewards see until it is published."""
    require_steward(request)
    form = TemplateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                template = form.save(commit=False)
                template.status = Status.DRAFT
                template.save_new(by=request.user)
                form.save_m2m()
            messages.success(
                request,
                _("The draft %(name)s was saved. Only stewards see it until it is published.")
                % {"name": template.name},
            )
            return redirect("library:detail", template.code)
        status = 422
    return TemplateResponse(
        request, "indicators/library/template_form.html", _form_context(form, None), status=status
    )


def _save_template(form: Any, version: int, user: Any) -> None:
    """The template's fields and its SDG targets, in one transaction (StaleEdit if the version moved on)."""
    with transaction.atomic():
        form.instance.save_if_current(expected_version=version, by=user)
        form.instance.sdg_targets.set(form.cleaned_data["sdg_targets"])


@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Edit the working copy; a published template changes for organisations only when it is published."""
    require_steward(request)
    template = get_object_or_404(IndicatorTemplate, code=code)
    if template.status == Status.RETIRED:
        messages.error(request, _("A retired template can no longer be edited."))
        return redirect("library:detail", template.code)
    form = TemplateEditForm(request.POST or None, instance=template)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            if not saved_if_current(form, lambda version: _save_template(form, version, request.user)):
                status = 409
            else:
                if template.status == Status.PUBLISHED:
                    message = _(
                        "The changes were saved in the working copy. Organisations see version "
                        "%(number)s until you publish them."
                    ) % {"number": template.published_version}
                else:
                    message = _("The draft was saved.")
                messages.success(request, message)
                return redirect("library:detail", template.code)
    return TemplateResponse(
        request, "indicators/library/template_form.html", _form_context(form, template), status=status
    )


@require_http_methods(["GET", "POST"])
def template_publish(request: HttpRequest, code: str) -> HttpResponse:
    """Publish the working copy as the next version, with a change note; the page shows what changes."""
    require_steward(request)
    template = get_object_or_404(IndicatorTemplate, code=code)
    if template.status == Status.RETIRED:
        messages.error(request, _("A retired template cannot be published again."))
        return redirect("library:detail", template.code)
    form = PublishForm(request.POST or None, initial={"version": template.version})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                version = publish_template(
                    template=template,
                    change_note=form.cleaned_data["change_note"],
                    by=request.user,
                    expected_version=form.cleaned_data["version"],
                )
            except StaleEdit:
                template.refresh_from_db()
                data = request.POST.copy()
                data["version"] = str(template.version)
                form = PublishForm(data)
                form.is_valid()
                form.add_error(
                    None,
                    _(
                        "Someone else changed the template while you were here. Check the changes below "
                        "and publish again: your note is kept."
                    ),
                )
                status = 409
            except LibraryError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _(
                        "Version %(number)s is published. Organisations that adopted the template are "
                        "offered the new version."
                    )
                    % {"number": version.number},
                )
                return redirect("library:detail", template.code)
    published = published_definition(template)
    return TemplateResponse(
        request,
        "indicators/library/template_publish.html",
        {
            "template": template,
            "form": form,
            "definition": shown_definition(template, None),
            "changes": template_diff(published, template.definition_snapshot()) if published else [],
            "first": published is None,
            "next_number": template.published_version + 1,
            "nothing_changed": template.status == Status.PUBLISHED
            and not has_unpublished_changes(template, published),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def template_retire(request: HttpRequest, code: str) -> HttpResponse:
    """Confirm, then take the template out of the library."""
    require_steward(request)
    template = get_object_or_404(IndicatorTemplate, code=code)
    form = RetireForm(request.POST or None, initial={"version": template.version})
    error = ""
    if request.method == "POST":
        if not form.is_valid():
            raise Http404  # the form has only the hidden version: a broken request, not a user's mistake
        try:
            retire_template(template=template, by=request.user, expected_version=form.cleaned_data["version"])
        except StaleEdit:
            template.refresh_from_db()
            form = RetireForm(initial={"version": template.version})
            error = _("Someone else changed the template a moment ago. Check it and confirm again.")
        except LibraryError as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                _("%(name)s was retired. Organisations that adopted it keep their indicators and values.")
                % {"name": template.name},
            )
            return redirect("library:list")
    return TemplateResponse(
        request,
        "indicators/library/template_retire.html",
        {
            "template": template,
            "form": form,
            "error": error,
            "adoption_count": template.adoptions.values("organisation").distinct().count(),
        },
        status=409 if error else 200,
    )
