"""URLs of the indicators app (indicators): an organisation's indicators under /o/<org_slug>/indicators/."""

from django.urls import URLPattern, path

from indicators import views

app_name = "indicators"

urlpatterns: list[URLPattern] = [
    path("", views.indicator_list, name="list"),
    path("adopt/", views.indicator_adopt, name="adopt"),
    path("new/", views.indicator_create, name="create"),
    path("grid/", views.value_grid, name="grid"),
    path("<int:indicator_pk>/", views.indicator_detail, name="detail"),
    path("<int:indicator_pk>/edit/", views.indicator_edit, name="edit"),
    path("<int:indicator_pk>/delete/", views.indicator_delete, name="delete"),
    path("<int:indicator_pk>/template/", views.indicator_template, name="template"),
    path("<int:indicator_pk>/targets/", views.indicator_targets, name="targets"),
    path("<int:indicator_pk>/value/", views.indicator_value, name="value"),
]
