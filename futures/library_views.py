"""The shared foresight library: the Sitra megatrends (/library/megatrends/) and the association's
national future stories (/library/stories/).

Everyone signed in reads them; only the association's stewards change them (403 for anyone else). A
municipality copies a national story into its own stories, where it adapts the copy: nothing here lets it
change the original.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from futures.forms import CopyStoryForm, MegatrendEditForm, MegatrendForm
from futures.models import FutureStory, Megatrend, StoryDriver, VariableValue
from futures.services import StoryError, copy_national_story, set_current_edition, set_published
from organisations.base import StaleEdit, conflict_message, saved_if_current
from organisations.collation import sorted_finnish
from organisations.models import Membership, Organisation, Role
from organisations.params import next_url, parse_version, parse_year
from organisations.richtext import render


def _fragment(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx and not htmx.history_restore_request)


def _render(
    request: HttpRequest, template: str, partial: str, context: dict[str, Any], *, status: int = 200
) -> TemplateResponse:
    name = f"{template}#{partial}" if _fragment(request) else template
    if _fragment(request) and status in {409, 422} and "live_message" not in context:
        context["live_message"] = (
            conflict_message() if status == 409 else _("Check the form: something is missing or wrong.")
        )
        context["live_ok"] = False
    return TemplateResponse(request, name, context, status=status)


def _go(request: HttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if getattr(request, "htmx", False) else redirect(url)


def steward_membership(request: HttpRequest) -> Membership | None:
    """The signed-in person's steward membership in the association, if they have one."""
    return (
        Membership.objects.for_user(request.user)
        .filter(role=Role.STEWARD, organisation__kind=Organisation.Kind.ASSOCIATION)
        .first()
    )


def _require_steward(request: HttpRequest) -> Membership:
    membership = steward_membership(request)
    if membership is None:
        raise PermissionDenied(_("Only the association's stewards can do this."))
    return membership


# --- megatrends -----------------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def megatrend_list(request: HttpRequest) -> HttpResponse:
    """The Sitra megatrends: the current edition first, then the archived ones."""
    megatrends = list(
        Megatrend.objects.annotate(
            story_count=Count("stories", filter=Q(stories__deleted_at__isnull=True), distinct=True)
        ).order_by("-is_current", "-edition", "number")
    )
    editions: dict[int, list[Megatrend]] = {}
    for megatrend in megatrends:
        editions.setdefault(megatrend.edition, []).append(megatrend)
    current = [(e, rows) for e, rows in editions.items() if any(m.is_current for m in rows)]
    archived = [(e, rows) for e, rows in editions.items() if not any(m.is_current for m in rows)]
    return _render(
        request,
        "futures/library/megatrend_list.html",
        "megatrend-list",
        {
            "current": current,
            "archived": archived,
            "editions": sorted(editions, reverse=True),
            "is_steward": steward_membership(request) is not None,
            "section": "megatrends",
        },
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def megatrend_create(request: HttpRequest) -> HttpResponse:
    steward = _require_steward(request)
    form = MegatrendForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            megatrend = form.save(commit=False)
            megatrend.is_current = Megatrend.objects.filter(
                edition=megatrend.edition, is_current=True
            ).exists()
            megatrend.save_new(by=steward.user)
            messages.success(request, _("The megatrend “%(name)s” was added.") % {"name": megatrend.name})
            return _go(request, reverse("futures_library:megatrends"))
        status = 422
    return _render(
        request,
        "futures/library/megatrend_form.html",
        "megatrend-form",
        {"form": form, "megatrend": None, "section": "megatrends"},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def megatrend_edit(request: HttpRequest, megatrend_pk: int) -> HttpResponse:
    steward = _require_steward(request)
    megatrend = get_object_or_404(Megatrend, pk=megatrend_pk)
    form = MegatrendEditForm(request.POST or None, instance=megatrend)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            megatrend = form.save(commit=False)
            if not saved_if_current(form, by=steward.user):
                status = 409
            else:
                messages.success(request, _("The megatrend “%(name)s” was saved.") % {"name": megatrend.name})
                return _go(request, reverse("futures_library:megatrends"))
        else:
            status = 422
    return _render(
        request,
        "futures/library/megatrend_form.html",
        "megatrend-form",
        {"form": form, "megatrend": megatrend, "section": "megatrends"},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def megatrend_delete(request: HttpRequest, megatrend_pk: int) -> HttpResponse:
    _require_steward(request)
    megatrend = get_object_or_404(Megatrend, pk=megatrend_pk)
    if request.method == "POST":
        megatrend.delete()
        messages.success(request, _("The megatrend “%(name)s” was deleted.") % {"name": megatrend.name})
        return _go(request, reverse("futures_library:megatrends"))
    stories = megatrend.stories.count()
    return _render(
        request,
        "futures/library/megatrend_delete.html",
        "confirm",
        {"megatrend": megatrend, "story_count": stories, "section": "megatrends"},
    )


@require_POST
@vary_on_headers("HX-Request")
def megatrend_current(request: HttpRequest) -> HttpResponse:
    """Make an edition the current one; the others are shown as archived."""
    steward = _require_steward(request)
    edition = parse_year(request.POST.get("edition"))
    if edition is None:
        raise Http404(_("No such edition."))
    try:
        set_current_edition(edition=edition, by=steward.user)
    except StoryError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The edition %(edition)s is now the current one.") % {"edition": edition})
    return _go(request, reverse("futures_library:megatrends"))


# --- national stories -----------------------------------------------------------------------------


def _national(request: HttpRequest) -> QuerySet[FutureStory]:
    """National stories this person may read: published ones, and for stewards the drafts too."""
    stories = FutureStory.objects.filter(organisation__kind=Organisation.Kind.ASSOCIATION)
    if steward_membership(request) is None:
        stories = stories.filter(published_at__isnull=False)
    return stories


def _editable_memberships(request: HttpRequest) -> list[Membership]:
    """Where this person may copy a story to: organisations they edit, other than the association."""
    memberships = Membership.objects.for_user(request.user).exclude(
        organisation__kind=Organisation.Kind.ASSOCIATION
    )
    return sorted_finnish(
        (m for m in memberships if m.has_role(Role.EDITOR)), key=lambda m: str(m.organisation.name)
    )


@require_GET
@vary_on_headers("HX-Request")
def national_story_list(request: HttpRequest) -> HttpResponse:
    """The association's national future stories, for every municipality to read and copy."""
    stories = list(
        _national(request)
        .select_related("organisation")
        .prefetch_related(Prefetch("megatrends", queryset=Megatrend.objects.order_by("-edition", "number")))
        .annotate(copy_count=Count("copies", filter=Q(copies__deleted_at__isnull=True), distinct=True))
        .order_by("horizon_year", "title", "pk")
    )
    is_steward = steward_membership(request) is not None
    return _render(
        request,
        "futures/library/story_list.html",
        "national-stories",
        {"stories": stories, "is_steward": is_steward, "section": "stories"},
    )


def _get_national(request: HttpRequest, story_pk: int) -> FutureStory:
    return get_object_or_404(_national(request).select_related("organisation", "futures_table"), pk=story_pk)


@require_GET
@vary_on_headers("HX-Request")
def national_story_detail(request: HttpRequest, story_pk: int) -> HttpResponse:
    story = _get_national(request, story_pk)
    steward = steward_membership(request)
    picks = (
        VariableValue.objects.filter(stories=story)
        .select_related("variable")
        .order_by("variable__order", "variable_id")
    )
    return _render(
        request,
        "futures/library/story_detail.html",
        "national-story",
        {
            "story": story,
            "narrative": render(story.narrative),
            "megatrends": list(story.megatrends.order_by("-edition", "number")),
            "story_drivers": sorted_finnish(
                StoryDriver.objects.filter(story=story).select_related("driver__megatrend"),
                key=lambda d: d.driver.name,
            ),
            "picks": list(picks),
            "milestones": list(story.milestones.order_by("year", "pk")),
            "is_steward": steward is not None,
            "can_copy": bool(_editable_memberships(request)) and story.is_published,
            "section": "stories",
        },
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def national_story_copy(request: HttpRequest, story_pk: int) -> HttpResponse:
    """Copy a national story into one of the organisations the person edits, then adapt it there."""
    story = _get_national(request, story_pk)
    memberships = _editable_memberships(request)
    form = CopyStoryForm(request.POST or None, memberships=memberships)
    status = 200
    if request.method == "POST":
        if not memberships:
            raise PermissionDenied(
                _("To copy a story you need the editor role in a municipality or a regional council.")
            )
        if form.is_valid():
            organisation = form.cleaned_data["organisation"]
            try:
                copy = copy_national_story(
                    story=story,
                    organisation=organisation,
                    by=request.user,
                    with_table=form.cleaned_data["with_table"],
                )
            except StoryError as error:
                form.add_error(None, str(error))
                status = 409
            else:
                messages.success(
                    request,
                    _("The story was copied into %(organisation)s. Adapt it to your own situation here.")
                    % {"organisation": organisation.name},
                )
                return _go(request, reverse("futures:story_edit", args=[organisation.slug, copy.pk]))
        else:
            status = 422
    return _render(
        request,
        "futures/library/story_copy.html",
        "copy-form",
        {"story": story, "form": form, "memberships": memberships, "section": "stories"},
        status=status,
    )


@require_POST
@vary_on_headers("HX-Request")
def national_story_publish(request: HttpRequest, story_pk: int) -> HttpResponse:
    """Publish a national story in the library, or take it back (stewards only)."""
    steward = _require_steward(request)
    story = get_object_or_404(
        FutureStory.objects.filter(organisation__kind=Organisation.Kind.ASSOCIATION).select_related(
            "organisation"
        ),
        pk=story_pk,
    )
    publish = request.POST.get("publish") == "1"
    version = parse_version(request.POST.get("version"))
    try:
        set_published(
            story=story,
            published=publish,
            expected_version=story.version if version is None else version,
            by=steward.user,
        )
    except StaleEdit:
        messages.error(request, conflict_message())
    except StoryError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            (
                _("“%(title)s” is now published in the library.")
                if publish
                else _("“%(title)s” was taken out of the library; copies already made stay.")
            )
            % {"title": story.title},
        )
    return _go(request, next_url(request, request.POST.get("next"), reverse("futures_library:stories")))
