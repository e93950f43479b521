"""URLs of international activities, mounted at /o/<org_slug>/activities/."""

from django.urls import path

from impact import activity_views as views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list, name="list"),
    path("export/", views.activity_export, name="export"),
    path("settings/", views.activity_settings, name="settings"),
    path("new/", views.activity_create, name="create"),
    path("<int:activity_pk>/", views.activity_detail, name="detail"),
    path("<int:activity_pk>/edit/", views.activity_edit, name="edit"),
    path("<int:activity_pk>/delete/", views.activity_delete, name="delete"),
    path("<int:activity_pk>/chain/add/", views.step_add, name="step_add"),
    path("<int:activity_pk>/chain/<int:step_pk>/edit/", views.step_edit, name="step_edit"),
    path("<int:activity_pk>/chain/<int:step_pk>/delete/", views.step_delete, name="step_delete"),
    path("<int:activity_pk>/goals/add/", views.contribution_add, name="contribution_add"),
    path(
        "<int:activity_pk>/goals/<int:contribution_pk>/edit/",
        views.contribution_edit,
        name="contribution_edit",
    ),
    path(
        "<int:activity_pk>/goals/<int:contribution_pk>/delete/",
        views.contribution_delete,
        name="contribution_delete",
    ),
    path("<int:activity_pk>/reports/add/", views.report_add, name="report_add"),
    path("<int:activity_pk>/reports/<int:report_pk>/edit/", views.report_edit, name="report_edit"),
    path("<int:activity_pk>/reports/<int:report_pk>/delete/", views.report_delete, name="report_delete"),
    path("<int:activity_pk>/reviews/add/", views.review_add, name="review_add"),
    path("<int:activity_pk>/reviews/<int:review_pk>/edit/", views.review_edit, name="review_edit"),
    path("<int:activity_pk>/reviews/<int:review_pk>/delete/", views.review_delete, name="review_delete"),
]
