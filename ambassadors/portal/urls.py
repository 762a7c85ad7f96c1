"""Portal (HTML) routes of the host-facing site.

`backend.urls` includes them in the `portal` namespace together with the host's dashboard
(`portal:dashboard`, in `backend.dashboard` because it reads other apps).
"""

from django.urls import path
from django.views.generic import RedirectView

from ambassadors.portal import views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="portal:dashboard"), name="home"),
    path("c/<slug:slug>/", views.apply, name="apply"),
    path("c/<slug:slug>/thanks/", views.apply_thanks, name="apply-thanks"),
    path("language/", views.switch_language, name="language"),
    path("signin/", views.SignInView.as_view(), name="signin"),
    path("signin/link/<uidb64>/<token>/", views.signin_with_link, name="signin-link"),
    path("signout/", views.SignOutView.as_view(), name="signout"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("password/reset/sent/", views.PasswordResetSentView.as_view(), name="password-reset-sent"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("password/reset/done/", views.PasswordResetCompleteView.as_view(), name="password-reset-complete"),
    path("portal/profile/", views.profile, name="profile"),
]
