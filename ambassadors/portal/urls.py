"""Portal (HTML) routes of the host-facing site."""

from django.urls import path
from django.views.generic import RedirectView

from ambassadors import views
from ambassadors.signin import signin_with_link

app_name = "portal"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="portal:dashboard"), name="home"),
    path("c/<slug:slug>/", views.apply, name="apply"),
    path("c/<slug:slug>/thanks/", views.apply_thanks, name="apply-thanks"),
    path("language/", views.switch_language, name="language"),
    path("signin/", views.SignInView.as_view(), name="signin"),
    path("signin/link/<uidb64>/<token>/", signin_with_link, name="signin-link"),
    path("signout/", views.SignOutView.as_view(), name="signout"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("password/reset/sent/", views.PasswordResetSentView.as_view(), name="password-reset-sent"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("password/reset/done/", views.PasswordResetCompleteView.as_view(), name="password-reset-complete"),
    path("portal/", views.dashboard, name="dashboard"),
    path("portal/profile/", views.profile, name="profile"),
]
