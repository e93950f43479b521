"""URLs that fail on purpose or hold the database, for the error-page and database-fault tests only.

Mounted only by tests (`@pytest.mark.urls("tests.error_urls")`, or `tests.error_settings` for a gunicorn
started by a test); the product's URLconf never includes them.
"""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from impact.urls import urlpatterns as product_urls


@login_not_required
def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("forced failure for the error page test")


def bad(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("forced bad request for the error page test")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def database_gone(request: HttpRequest) -> HttpResponse:
    # What Django raises when the pool times out: psycopg_pool.PoolTimeout wrapped as OperationalError.
    raise OperationalError("couldn't get a connection after 1.00 sec")


@login_not_required
def slow(request: HttpRequest) -> HttpResponse:
    """Hold one pooled connection for ?seconds= (at most 10) with pg_sleep, then answer."""
    seconds = min(float(request.GET.get("seconds", "1")), 10.0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(%s)", [seconds])
    return JsonResponse({"slept": seconds})


urlpatterns = [
    path("boom/", boom),
    path("bad/", bad),
    path("forbidden/", forbidden),
    path("database-gone/", database_gone),
    path("slow/", slow),
    *product_urls,
]
handler400 = "impact.views.bad_request"
handler403 = "impact.views.permission_denied"
handler500 = "impact.views.server_error"
