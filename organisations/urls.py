from django.urls import path

from organisations import views, views_data

app_name = "organisations"

urlpatterns = [
    path("o/<slug:org_slug>/members/", views.member_list, name="member_list"),
    path("o/<slug:org_slug>/members/<int:pk>/role/", views.member_role, name="member_role"),
    path("o/<slug:org_slug>/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path(
        "o/<slug:org_slug>/members/invitations/<int:pk>/cancel/",
        views.invitation_cancel,
        name="invitation_cancel",
    ),
    path("o/<slug:org_slug>/settings/", views.organisation_settings, name="settings"),
    path("o/<slug:org_slug>/settings/export/", views_data.organisation_export, name="export"),
    path("o/<slug:org_slug>/history/<str:kind>/<int:object_pk>/", views_data.object_history, name="history"),
    path("o/<slug:org_slug>/deleted/", views_data.deleted_list, name="deleted"),
    path(
        "o/<slug:org_slug>/deleted/<str:kind>/<int:object_pk>/restore/",
        views_data.deleted_restore,
        name="deleted_restore",
    ),
    path("accounts/settings/", views.account_settings, name="account"),
    path("accounts/settings/email/", views.email_change, name="email_change"),
    path("accounts/settings/email/<str:token>/", views.email_confirm, name="email_confirm"),
    path("accounts/language/", views.language_switch, name="language"),
    path("accounts/invitation/<uidb64>/<token>/", views.invitation_accept, name="invitation_accept"),
    path("accounts/invitations/<str:token>/", views.invitation_answer, name="invitation_answer"),
]
