"""URLs of the indicators app (indicators)."""

from django.urls import URLPattern

app_name = "indicators"

urlpatterns: list[URLPattern] = []
