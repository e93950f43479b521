"""A URL that fails on purpose, for the server-error test."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from impact.urls import urlpatterns as product_urls


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("forced failure for the error page test")


urlpatterns = [path("boom/", boom), *product_urls]
handler500 = "impact.views.server_error"
