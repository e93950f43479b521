"""Root URLs. Every organisation page lives under /o/<org_slug>/ and goes through the tenancy guard."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from impact import views

urlpatterns = [
    path("", views.start, name="start"),
    path("o/<slug:org_slug>/", views.organisation_home, name="organisation_home"),
    path("", include("organisations.urls")),
    path("o/<slug:org_slug>/indicators/", include("indicators.urls")),
    path("o/<slug:org_slug>/indicators/import/", include("indicators.import_urls")),
    path("o/<slug:org_slug>/goals/", include("goals.urls")),
    path("o/<slug:org_slug>/activities/", include("impact.activity_urls")),
    path("library/indicators/", include("indicators.library_urls")),
    path("o/<slug:org_slug>/futures/", include("futures.urls")),
    path("library/", include("futures.library_urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accessibility/", views.accessibility_statement, name="accessibility"),
    path("privacy/", views.privacy_notice, name="privacy"),
    path("about-data/", views.about_data, name="about_data"),
    path("health/", views.health, name="health"),
    path("accounts/reminders/<str:token>/", views.digest_preference, name="digest_preference"),
    path(settings.ADMIN_URL, admin.site.urls),
]

# 403 and 404 use Django's handlers with templates/403.html and 404.html (the page frame, in the person's
# language); 400 and 500 (and 503 for an unavailable database) are plain pages that need no database.
handler400 = "impact.views.bad_request"
handler500 = "impact.views.server_error"
