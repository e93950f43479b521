"""URLs of the indicators app (library)."""

from django.urls import URLPattern

app_name = "library"

urlpatterns: list[URLPattern] = []
