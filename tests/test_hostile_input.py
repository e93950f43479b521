"""Hostile values in every query parameter and form field of every route never answer 5xx.

Built on the URL walk (tests/test_url_walk.py): its routes and its sample rows, which all belong to the
walk's organisation B. Signed in as B's administrator (and, for the shared libraries, as the association's
steward), the walk opens every route with B's own valid ids, reads the links and forms of every page
(with the standard library's HTML parser), and then sends each hostile value:

- in the query parameters each route reads: those in `QUERY_PARAMETERS` (which
  `test_every_query_parameter_the_code_reads_is_walked` checks against the code) and those the pages link
  to or submit by GET; all at once, and each alone where the page then stops early (it answers anything
  but 200); as a fragment where a page sends them with htmx and the route answers htmx differently;
- in every field of every form the pages post, all at once, as the page sends it (htmx's header where the
  form is htmx's); again with the page's own ids and choices kept where the hostile ids stop the view;
- in the value grid's JSON state and in its cell check's trigger name;
- in every path parameter that is not a number (a number's converter refuses anything else by itself).

Every request is undone afterwards, so each one meets the same rows. Any answer of 500 or above fails the
test, which lists the route, the parameter (or the form's fields) and the value.
"""

from __future__ import annotations

import ast
import importlib
import json
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from django import forms
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone

from organisations.models import Membership, Organisation, Role, User
from tests.factories import make_user
from tests.test_url_walk import SAMPLES, Route, World, all_routes, make_world

ROOT = Path(__file__).resolve().parent.parent
APPS = ("organisations", "indicators", "goals", "futures", "impact")

# What an attacker types: digits that str.isdigit() accepts and int() refuses, a negative id, a number
# past int()'s 4,300 digits and one just past PostgreSQL's bigint, a float overflow, not-a-number, a NUL
# byte (PostgreSQL refuses it in any text), 100 KB of text and JSON nested deeper than a parser recurses.
HOSTILE: dict[str, str] = {
    "superscript two": "²",
    "minus one": "-1",
    "5,000 digits": "9" * 5000,
    "20 digits": "9" * 20,
    "1e400": "1e400",
    "NaN": "NaN",
    "NUL byte": "1\x00",
    "100 KB of text": "x" * 100_000,
    "nested JSON": '{"a": [' * 2000 + '1e400, NaN, "x"' + "]}" * 2000,
}

# The query parameters each route's code reads; the pages' links and GET forms add what they send. A
# name the code reads that no entry lists fails test_every_query_parameter_the_code_reads_is_walked.
QUERY_PARAMETERS: dict[str, frozenset[str]] = {
    route: frozenset(names.split())
    for route, names in {
        "organisation_home": "strategy year",
        "report:annual": "strategy year lang",
        "report:xlsx": "strategy year lang",
        "indicators:list": "chain_level status",
        "indicators:adopt": "template q chain_level",
        "indicators:value": "period",
        "indicators:grid": "from to check status",
        "indicator_imports:map": "indicator period value status note",
        "indicator_imports:export": "format",
        "library:list": "q chain_level theme source sdg_goal status",
        "library:sdg_search": "sdg_q part sdg_targets",
        "goals:strategy_detail": "focus",
        "goals:strategy_export": "format",
        "goals:goal_create": "parent",
        "goals:goal_detail": "indicator_q sdg_q",
        "futures:index": "kind",
        "futures:story_create": "table",
        "futures:signal_list": "driver",
        "futures:variable_remove": "variable",
        "futures:value_remove": "value",
        "futures:pair_remove": "pair",
        "activities:list": "kind status goal programme country year",
        "activities:export": "kind status goal programme country year format",
        "activities:detail": "focus",
        "activities:step_add": "level",
        "activities:contribution_add": "q",
        "national:comparison": "template org peers chosen",
        "national:export": "template org peers chosen format",
    }.items()
}

# Functions that hand request.GET on (to a helper or a form) or read a name they compute: what each
# reads. The test finds every such place in the code and fails on one missing here or listed for nothing.
PASSED_ON: dict[str, frozenset[str]] = {
    place: frozenset(names.split())
    for place, names in {
        "impact/report_views.py:annual_report": "strategy year lang",
        "impact/report_views.py:report_xlsx": "strategy year lang",
        "impact/activity_views.py:activity_list": "",  # keeps the query to link the export with it
        "indicators/views.py:value_grid": "from to",
        # The value grid's cell check reads the cell's own name (v-<indicator>-<year>); the walk finds the
        # cells' names on the grid page and sends them with the cell check's header.
        "indicators/views.py:_grid_cell": "",
        "indicators/views_imports.py:import_map": "indicator period value status note",
        "futures/views.py:_posted_id": "variable value pair",
    }.items()
}


# --- what the code reads ---------------------------------------------------------------------------


def _is_query(node: ast.AST) -> bool:
    """`request.GET` (the only QueryDict of query parameters the views read)."""
    return isinstance(node, ast.Attribute) and node.attr == "GET"


def _constant(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


@dataclass
class CodeReads:
    names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # name -> places
    passed_on: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # function -> lines


def query_reads_in_code() -> CodeReads:
    """Every place the apps read request.GET: `.get("x")`, `.getlist("x")`, `"x" in request.GET` and
    `request.GET["x"]` by name, a form bound to it by its fields, and the functions that hand it on or
    read a computed name."""
    reads = CodeReads()
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            where = str(path.relative_to(ROOT))
            module = importlib.import_module(where.removesuffix(".py").replace("/", "."))
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef):
                    continue
                parents = {
                    child: parent for parent in ast.walk(function) for child in ast.iter_child_nodes(parent)
                }
                for node in ast.walk(function):
                    if not isinstance(node, ast.Attribute) or not _is_query(node):
                        continue
                    if _inner_function(node, parents) is not function:
                        continue
                    names = _read_names(node, parents, module)
                    for name in names or []:
                        reads.names[name].add(f"{where}:{node.lineno}")
                    if names is None:
                        reads.passed_on[f"{where}:{function.name}"].add(f"{where}:{node.lineno}")
    return reads


def _inner_function(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> ast.AST | None:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.FunctionDef):
            return node
    return None


def _read_names(node: ast.AST, parents: dict[ast.AST, ast.AST], module: Any) -> list[str] | None:
    """The names read at this use of request.GET, or None when it is handed on or the name computed."""
    parent = parents.get(node)
    name: str | None = None
    if isinstance(parent, ast.Attribute) and parent.attr in {"get", "getlist"}:
        call = parents.get(parent)
        if isinstance(call, ast.Call) and call.args:
            name = _constant(call.args[0])
    elif isinstance(parent, ast.Compare) and node in parent.comparators:
        name = _constant(parent.left)
    elif isinstance(parent, ast.Subscript) and parent.value is node:
        name = _constant(parent.slice)
    elif isinstance(parent, ast.Call) and parent.args[:1] == [node] and isinstance(parent.func, ast.Name):
        form = getattr(module, parent.func.id, None)  # a form bound to the query: it reads its fields
        if isinstance(form, type) and issubclass(form, forms.BaseForm):
            return list(getattr(form, "base_fields", {}))
    return None if name is None else [name]


def test_every_query_parameter_the_code_reads_is_walked() -> None:
    walked = set().union(*QUERY_PARAMETERS.values())
    reads = query_reads_in_code()
    unlisted = {name: sorted(places) for name, places in reads.names.items() if name not in walked}
    assert not unlisted, f"add these query parameters to QUERY_PARAMETERS under their routes: {unlisted}"
    unexplained = {place: sorted(lines) for place, lines in reads.passed_on.items() if place not in PASSED_ON}
    assert not unexplained, f"say in PASSED_ON which query parameters these read: {unexplained}"
    stale = set(PASSED_ON) - set(reads.passed_on)
    assert not stale, f"these PASSED_ON entries no longer hand request.GET on: {sorted(stale)}"
    passed = set().union(*PASSED_ON.values())
    assert passed <= walked, f"add to QUERY_PARAMETERS: {sorted(passed - walked)}"


# --- what the pages send ----------------------------------------------------------------------------


@dataclass
class Form:
    """A form found on a page: where it goes and what a browser would send."""

    action: str
    htmx: bool  # sent with htmx when JavaScript runs
    fields: dict[str, str] = field(default_factory=dict)
    submits: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons
    by_get: bool = False
    plain_action: str = ""  # where it goes without JavaScript


def _shape(name: str) -> str:
    """A field's name with its ids left out: `v-12-2024` and `v-13-2025` are the same kind of input."""
    return re.sub(r"[0-9]+", "#", name)


class PageInputs(HTMLParser):
    """The forms, links and htmx requests of a page, and the query parameters each one sends."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []  # forms sent by POST
        self.queries: list[tuple[str, str, bool]] = []  # (path, parameter, sent with htmx)
        self.examples: dict[str, dict[str, str]] = {}  # path: the query of a link to it, as the page has it
        self._form: Form | None = None
        self._select: str | None = None

    def _absolute(self, url: str) -> str:
        return urlsplit(self.page).path + url if not url or url.startswith("?") else url

    def _query(self, url: str, names: list[str], *, htmx: bool) -> None:
        parts = urlsplit(self._absolute(url))
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            return
        given = dict(parse_qsl(parts.query, keep_blank_values=True))
        if given:
            self.examples.setdefault(parts.path, given)
        for name in list(given) + names:
            self.queries.append((parts.path, name, htmx))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        name = a.get("name", "")
        vals = _json_keys(a.get("hx-vals", ""))
        if tag == "form":
            by_get = a.get("method", "get").lower() != "post" and "hx-post" not in a
            htmx_target = a.get("hx-get" if by_get else "hx-post", "")
            plain = self._absolute(a.get("action", ""))
            self._form = Form(self._absolute(htmx_target) if htmx_target else plain, bool(htmx_target))
            self._form.by_get, self._form.plain_action = by_get, plain
            return
        if tag == "a" and a.get("href"):
            self._query(a["href"], [], htmx=False)
        if a.get("hx-get"):
            self._query(a["hx-get"], [name, *vals] if name else vals, htmx=True)
        form = self._form
        if a.get("hx-post") and (form is None or tag not in {"button", "input"}):
            self.forms.append(Form(self._absolute(a["hx-post"]), True, dict.fromkeys(vals, "")))
        if form is None:
            return
        kind = a.get("type", "submit" if tag == "button" else "text")
        if tag in {"button", "input"} and kind in {"submit", "image"}:
            target = a.get("hx-post") or a.get("formaction")
            if target:  # a button that sends the form elsewhere: a form of its own (fields shared)
                submits = [(name, a.get("value", ""))] if name else []
                self.forms.append(Form(self._absolute(target), "hx-post" in a, form.fields, submits))
            elif name:
                form.submits.append((name, a.get("value", "")))
        elif tag in {"input", "textarea"} and name and kind not in {"button", "reset"}:
            if kind not in {"checkbox", "radio"} or "checked" in a or name not in form.fields:
                form.fields[name] = a.get("value", "on" if kind in {"checkbox", "radio"} else "")
        elif tag == "select" and name:
            self._select = name
            form.fields.setdefault(name, "")
        elif tag == "option" and self._select and ("selected" in a or not form.fields[self._select]):
            form.fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        form = self._form
        if tag != "form" or form is None:
            return
        self._form = None
        if not form.by_get:
            self.forms.append(form)
            return
        names = list(form.fields) + [name for name, _value in form.submits]
        self._query(form.action, names, htmx=form.htmx)
        if form.htmx:
            self._query(form.plain_action, names, htmx=False)


def _json_keys(text: str) -> list[str]:
    if not text.strip().startswith("{"):
        return []
    try:
        loaded = json.loads(text)
    except ValueError:
        return []
    return [str(key) for key in loaded] if isinstance(loaded, dict) else []


def _route_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


# --- the walk ------------------------------------------------------------------------------------------


@dataclass
class HostileWorld:
    walk: World
    owner: User  # B's administrator: every route of an organisation, with B's ids
    steward: User  # the association's steward: the shared libraries
    national_story: Any  # the association's published story (the library's story routes)


@pytest.fixture
def hostile_world(db: None, settings: Any, tmp_path: Any) -> HostileWorld:
    from futures.models import FutureStory

    settings.MEDIA_ROOT = tmp_path
    # Queued work (a PDF, an import) stays queued: what a request does is the question here, not the worker.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    walk = make_world()
    # B shares its indicator data, so its administrator reaches the national comparison too.
    Organisation.objects.filter(pk=walk.org_b.pk).update(shares_indicator_data=True)
    association = Organisation.objects.create(
        kind=Organisation.Kind.ASSOCIATION, name_fi="Kuntaliitto", slug="kuntaliitto"
    )
    steward = make_user(name="Stella Steward")
    Membership.objects.create(user=steward, organisation=association, role=Role.STEWARD)
    User.objects.filter(pk=steward.pk).update(home_organisation=association)
    story = FutureStory.objects.create(
        organisation=association,
        title="Kansallinen tarina",
        horizon_year=2040,
        kind="probable",
        published_at=timezone.now(),
    )
    return HostileWorld(walk=walk, owner=walk.b_user, steward=steward, national_story=story)


LIBRARY = ("library:", "futures_library:")


def _valid_kwargs(route: Route, world: HostileWorld) -> dict[str, str]:
    kwargs = {param: SAMPLES[param](world.walk) for param in route.params}
    if route.name.startswith("futures_library:story_"):
        kwargs["story_pk"] = str(world.national_story.pk)
    return kwargs


@dataclass(frozen=True)
class Failure:
    method: str
    route: str
    where: str
    value: str
    status: int
    error: str

    def __str__(self) -> str:
        return f"{self.method} {self.route} {self.where} = {self.value}: {self.status} {self.error}"


class Walker:
    """Sends the requests as the right person, each undone afterwards, and keeps every 5xx."""

    def __init__(self, world: HostileWorld) -> None:
        self.client = Client(raise_request_exception=False)
        self.world = world
        self.failures: set[Failure] = set()
        self.requests = 0
        self._signed_in: User | None = None

    def sign_in(self, route: str) -> None:
        user = self.world.steward if route.startswith(LIBRARY) else self.world.owner
        if user != self._signed_in:
            self.client.force_login(user)
            self._signed_in = user

    def send(
        self,
        method: str,
        route: str,
        url: str,
        data: Any,
        *,
        where: str,
        value: str,
        headers: dict[str, str],
        keep: bool = True,
    ) -> HttpResponse:
        """Send one request; a 5xx answer is kept as a failure (unless `keep` is off: the caller then
        looks closer and keeps what it finds)."""
        self.sign_in(route)
        with transaction.atomic():
            # Undone after each request: every request meets the same rows whatever came before it.
            response = getattr(self.client, method)(url, data, headers=headers)
            transaction.set_rollback(True)
        if settings.SESSION_COOKIE_NAME in response.cookies:
            self._signed_in = None  # signed out, or a new session that the rollback took away
        self.requests += 1
        if keep:
            self.keep(response, method, route, where, value, headers)
        return response

    def keep(
        self, response: HttpResponse, method: str, route: str, where: str, value: str, headers: dict[str, str]
    ) -> bool:
        if response.status_code < 500:
            return False
        exc_info = getattr(response, "exc_info", None)
        error = f"{exc_info[0].__name__}: {str(exc_info[1])[:100]}" if exc_info else ""
        shown = method.upper() + (" htmx" if headers else "")
        self.failures.add(Failure(shown, route, where[:120], value, response.status_code, error))
        return True


HTMX = {"HX-Request": "true"}
CSRF = "csrfmiddlewaretoken"  # the test client does not check it: no place for a hostile value


def _ids_kept(fields: dict[str, str], value: str) -> dict[str, str]:
    """The form's fields hostile, but for the ids, numbers and choices the page filled in."""
    return {
        name: given if given and re.fullmatch(r"[0-9a-z_-]{1,40}", given) else value
        for name, given in fields.items()
    }


def _grid_states(cells: list[str]) -> dict[str, str]:
    """The value grid's hidden state with every cell's [version, text] in a hostile shape."""
    shapes: dict[str, Any] = {
        "version 1e400": "1e400",
        "version NaN": "NaN",
        "version a string": '"x"',
        "version 10**30": str(10**30),
        "version -1": "-1",
        "version 5,000 digits": "9" * 5000,
        "a nested list": '[[1]], {"a": [1]}',
        "one item": '"1"',
    }
    states = {
        label: "{" + ",".join(f'"{cell}": [{shape}, "1"]' for cell in cells) + "}"
        for label, shape in shapes.items()
    }
    states["an object per cell"] = json.dumps({cell: {"a": 1} for cell in cells})
    states["not an object"] = "[1, 2]"
    states["nested JSON"] = HOSTILE["nested JSON"]
    return states


def _templates(response: HttpResponse) -> tuple[int, str, tuple[str, ...]]:
    """What a response is made of: its status, type and the templates it rendered."""
    names = tuple(str(template.name) for template in getattr(response, "templates", []))
    return response.status_code, response.get("Content-Type", ""), names


def test_hostile_values_never_answer_5xx(
    hostile_world: HostileWorld, caplog: pytest.LogCaptureFixture
) -> None:
    # The walk makes a thousand refusals (404, 422, failed sign-ins); their warnings are not what it looks
    # at, and writing them costs a tenth of its time. Errors (a 500's traceback) still show.
    for logger in ("django", "vaikuttava", "indicators", "impact", "axes", "allauth"):
        caplog.set_level(logging.ERROR, logger=logger)
    walker = Walker(hostile_world)
    routes = {route.name: route for route in all_routes()}
    urls = {name: reverse(name, kwargs=_valid_kwargs(route, hostile_world)) for name, route in routes.items()}
    queries: dict[str, dict[str, set[bool]]] = defaultdict(lambda: defaultdict(set))  # route: name: htmx
    examples: dict[str, dict[str, str]] = {}  # route: a valid query a page links to it with
    forms: dict[tuple[str, str, tuple[str, ...]], Form] = {}

    # 1. Every page as its owner sees it: none fails, and its links and forms tell what the page sends.
    seen: dict[str, HttpResponse] = {}
    for name, url in urls.items():
        response = seen[name] = walker.send("get", name, url, {}, where="(as it is)", value="", headers={})
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = PageInputs(url)
        page.feed(response.content.decode())
        for path, param, htmx in page.queries:
            target = _route_name(path)
            if target in routes:
                queries[target][param].add(htmx)
        for path, query in page.examples.items():
            target = _route_name(path)
            if target in routes:
                examples.setdefault(target, query)
        for form in page.forms:
            target = _route_name(urlsplit(form.action).path)
            if target in routes and set(form.fields) - {CSRF}:
                shape = tuple(
                    sorted({_shape(f) for f in form.fields} | {f"{n}={v}" for n, v in form.submits})
                )
                forms.setdefault((target, form.action.partition("?")[2], shape), form)
    assert forms and queries, "the walk found the pages' forms and links"

    # 2. The query parameters of each page with each hostile value (the others as a page links them), as
    # a page and, where the route answers htmx with something else and a page sends them so, a fragment.
    for name in sorted(routes):
        found = {param: set(htmx) for param, htmx in queries[name].items()}
        for param in QUERY_PARAMETERS.get(name, frozenset()):
            found[param] = {False, True}
        if not found:
            continue
        base = examples.get(name, {})
        plain = (
            seen[name]
            if not base
            else walker.send("get", name, urls[name], base, where="(as linked)", value="", headers={})
        )
        if plain.status_code != 200:
            continue  # a POST-only route, or one that needs what no page gives it
        fragment = walker.send("get", name, urls[name], base, where="(as linked)", value="", headers=HTMX)
        htmx_matters = _templates(fragment) != _templates(plain)
        # One of the grid's cells stands for them all.
        params = {_shape(param): param for param in sorted(found, reverse=True)}.values()
        modes = {param: HTMX if htmx_matters and True in found[param] else {} for param in params}
        together = HTMX if HTMX in modes.values() else {}
        for label, value in HOSTILE.items():
            # All the parameters at once; where the page then answers anything but itself (it stopped at
            # one of them, or failed), each parameter alone, so that each is read and a failure named.
            data = {**base, **dict.fromkeys(params, value)}
            where = "&".join(sorted(params))
            response = walker.send(
                "get", name, urls[name], data, where=where, value=label, headers=together, keep=False
            )
            if response.status_code == 200:
                continue
            named = False
            for param in params:
                alone = walker.send(
                    "get",
                    name,
                    urls[name],
                    {**base, param: value},
                    where=param,
                    value=label,
                    headers=modes[param],
                )
                named = named or alone.status_code >= 500
            if not named:
                walker.keep(response, "get", name, where, label, together)

    # 3. Every form with all its fields hostile, each submit button's way, sent as the page sends it (with
    # htmx's header where the form is htmx's). Where that stops at a hostile id (404, 400), again with the
    # ids and choices the page gave kept, so that the view reaches the rest of the fields.
    for (name, _query, _shape_key), form in sorted(forms.items(), key=lambda item: item[0][:2]):
        where = ",".join(sorted({_shape(f) for f in form.fields} - {CSRF}))
        submits: list[tuple[str, str] | None] = [s for s in form.submits if s[0]] or [None]
        for submit in submits:
            for label, value in HOSTILE.items():
                for data in (dict.fromkeys(form.fields, value), _ids_kept(form.fields, value)):
                    data[CSRF] = form.fields.get(CSRF, "")
                    if submit:
                        data[submit[0]] = submit[1]
                    headers = HTMX if form.htmx else {}
                    response = walker.send(
                        "post", name, form.action, data, where=where, value=label, headers=headers
                    )
                    if response.status_code not in {400, 404}:
                        break

    # 4. The value grid: its JSON state in hostile shapes, and its cell check under hostile names.
    grid_url = urls["indicators:grid"]
    grid = next(
        f for (name, _q, _s), f in forms.items() if name == "indicators:grid" and "grid-state" in f.fields
    )
    cells = list(json.loads(grid.fields["grid-state"]))
    assert cells, "the grid shows B's values, so its state has cells"
    inputs = {name: "1" for name in grid.fields if name.startswith("v-")}
    for label, state in _grid_states(cells).items():
        for headers in ({}, HTMX):
            data = {**grid.fields, **inputs, "grid-state": state}
            walker.send(
                "post", "indicators:grid", grid_url, data, where="grid-state", value=label, headers=headers
            )
    indicator_pk = cells[0].split("-")[0]
    for label, value in HOSTILE.items():
        for trigger in (f"v-{indicator_pk}-{value}", f"v-{value}-2024", value):
            headers = {**HTMX, "HX-Trigger-Name": trigger.replace("\x00", "%00")}
            data = {"check": "1", trigger: "1"}
            walker.send(
                "get",
                "indicators:grid",
                grid_url,
                data,
                where="HX-Trigger-Name",
                value=label,
                headers=headers,
            )

    # 5. Path parameters that are not numbers. The organisation's slug goes through one guard
    # (organisations.tenancy, which the URL walk proves every route of an organisation passes), so one
    # route stands for all of them.
    marker = "zq7777777"
    for name, route in routes.items():
        for param in route.params:
            if param == "org_slug" and name != "organisation_home":
                continue
            try:
                template = reverse(name, kwargs={**_valid_kwargs(route, hostile_world), param: marker})
            except NoReverseMatch:
                continue  # a number's converter: nothing else reaches the view
            for label, value in HOSTILE.items():
                url = template.replace(marker, quote(value, safe=""))
                walker.send("get", name, url, {}, where=f"<{param}>", value=label, headers={})

    print(f"hostile walk: {walker.requests} requests")  # the count, for whoever tunes the walk
    report = "\n".join(sorted(str(failure) for failure in walker.failures))
    assert not walker.failures, f"{len(walker.failures)} requests answered 5xx:\n{report}"
