"""Root URLs. Every organisation page lives under /o/<org_slug>/ and goes through the tenancy guard."""

from allauth.account import views as allauth_views
from allauth.account.decorators import secure_admin_login
from allauth.urls import build_provider_urlpatterns
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView

from impact import views
from organisations.views import password_change, password_reset, password_reset_confirm, sign_in

# The operator's admin signs in through the product's sign-in too (throttling, one-time codes).
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]


# Sign-in (django-allauth) under /accounts/. The product's names (login, logout, password_*) stay; the
# allauth names its code reverses point at the same views. Only the allauth parts the product uses are
# mounted: no self-service sign-up pages beyond allauth's "closed" answer, no email management.
account_urls: list[URLPattern | URLResolver] = [
    path("login/", sign_in, name="login"),
    path("login/", sign_in, name="account_login"),
    path("logout/", allauth_views.logout, name="logout"),
    path("logout/", allauth_views.logout, name="account_logout"),
    path("inactive/", allauth_views.account_inactive, name="account_inactive"),
    path("signup/", allauth_views.signup, name="account_signup"),
    path("reauthenticate/", allauth_views.reauthenticate, name="account_reauthenticate"),
    path("email/", RedirectView.as_view(pattern_name="organisations:account"), name="account_email"),
    path("password/change/", password_change, name="password_change"),
    path("password/change/", password_change, name="account_change_password"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", password_reset, name="password_reset"),
    path("password/reset/", password_reset, name="account_reset_password"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("2fa/", include("allauth.mfa.urls")),
    path("3rdparty/", include("allauth.socialaccount.urls")),
    # /accounts/oidc/<organisation slug>/login/ and …/login/callback/ (the redirect URI to register).
    *build_provider_urlpatterns(),
]

urlpatterns = [
    path("", views.start, name="start"),
    path("o/<slug:org_slug>/", views.organisation_home, name="organisation_home"),
    path("", include("organisations.urls")),
    path("o/<slug:org_slug>/indicators/", include("indicators.urls")),
    path("o/<slug:org_slug>/indicators/import/", include("indicators.import_urls")),
    path("o/<slug:org_slug>/goals/", include("goals.urls")),
    path("o/<slug:org_slug>/activities/", include("impact.activity_urls")),
    path("o/<slug:org_slug>/report/", include("impact.report_urls")),
    path("library/indicators/", include("indicators.library_urls")),
    path("o/<slug:org_slug>/futures/", include("futures.urls")),
    path("library/", include("futures.library_urls")),
    path("accounts/", include(account_urls)),
    path("national/", include("impact.national_urls")),
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
handler403 = "impact.views.permission_denied"
handler500 = "impact.views.server_error"
