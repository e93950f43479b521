"""URLs of the indicators app (indicator_imports)."""

from django.urls import URLPattern

app_name = "indicator_imports"

urlpatterns: list[URLPattern] = []
