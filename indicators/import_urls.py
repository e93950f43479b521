"""URLs of the import and export pages (indicator_imports), under /o/<org_slug>/indicators/import/."""

from django.urls import path

from indicators import views_imports

app_name = "indicator_imports"

urlpatterns = [
    path("", views_imports.import_upload, name="upload"),
    path("export/", views_imports.indicator_export, name="export"),
    path("<int:run_pk>/", views_imports.import_run, name="run"),
    path("<int:run_pk>/columns/", views_imports.import_map, name="map"),
    path("<int:run_pk>/start/", views_imports.import_start, name="start"),
]
