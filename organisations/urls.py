from django.urls import path

from organisations import views

app_name = "organisations"

urlpatterns = [
    path("o/<slug:org_slug>/members/", views.member_list, name="member_list"),
    path("o/<slug:org_slug>/members/<int:pk>/role/", views.member_role, name="member_role"),
    path("o/<slug:org_slug>/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("o/<slug:org_slug>/settings/", views.organisation_settings, name="settings"),
    path("accounts/settings/", views.account_settings, name="account"),
    path("accounts/language/", views.language_switch, name="language"),
    path("accounts/invitation/<uidb64>/<token>/", views.invitation_accept, name="invitation_accept"),
]
