"""The national comparison of shared indicator data (not under /o/<slug>/: it spans organisations)."""

from django.urls import path

from impact import national_views

app_name = "national"

urlpatterns = [
    path("", national_views.national_comparison, name="comparison"),
    path("export/", national_views.national_export, name="export"),
]
