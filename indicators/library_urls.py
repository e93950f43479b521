"""URLs of the shared indicator library at /library/indicators/ (not organisation-scoped)."""

from django.urls import URLPattern, path

from indicators import views_library as views

app_name = "library"

# "new" and "sdg-targets" come before the template code, which may therefore not be either of them.
urlpatterns: list[URLPattern] = [
    path("", views.template_list, name="list"),
    path("new/", views.template_create, name="create"),
    path("sdg-targets/", views.sdg_target_search, name="sdg_search"),
    path("<slug:code>/", views.template_detail, name="detail"),
    path("<slug:code>/edit/", views.template_edit, name="edit"),
    path("<slug:code>/publish/", views.template_publish, name="publish"),
    path("<slug:code>/retire/", views.template_retire, name="retire"),
]
