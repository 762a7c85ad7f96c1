"""Of django-allauth, only what social sign-in needs is routed; its account pages are not there.

The list of pages comes from allauth's own URL configuration, so a page a new allauth version adds
is checked too: anything but a provider's login and callback and the three pages its social flow
sends people to answers 404 (or leads to the portal's sign-in page), to anyone, on any method.
"""

import re

import pytest
from allauth import urls as allauth_urls
from django.urls import URLPattern, URLResolver, resolve

from tests.factories import HostFactory

# What the portal's social sign-in uses, beside each provider's `<provider>_login` and `_callback`.
SOCIAL_FLOW_PAGES = {"account_inactive", "socialaccount_login_cancelled", "socialaccount_login_error"}


def _sample(pattern: URLPattern | URLResolver) -> str:
    """A path the pattern matches: each parameter becomes `1a`."""
    text = str(pattern.pattern).lstrip("^").rstrip("$")
    text = re.sub(r"\(\?P<\w+>[^)]*\)", "1a", text)  # re_path(r"…/(?P<key>[-:\w]+)/$")
    return re.sub(r"<[^>]+>", "1a", text)  # path("…/<str:key>/")


def _allauth_pages(patterns: list, prefix: str = "/accounts/") -> list[tuple[str, str]]:
    """(URL name, or the path for the few unnamed ones; a path it matches) of every allauth page."""
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _allauth_pages(pattern.url_patterns, prefix + _sample(pattern))
        else:
            path = prefix + _sample(pattern)
            found.append((pattern.name or path, path))
    return found


ALLAUTH_PAGES = _allauth_pages(allauth_urls.urlpatterns)
UNUSED_PAGES = [
    (name, path)
    for name, path in ALLAUTH_PAGES
    if name not in SOCIAL_FLOW_PAGES and not name.endswith(("_login", "_callback"))
]


def test_the_list_covers_allauths_account_pages():
    for name, path in ALLAUTH_PAGES:  # each sample path is one allauth matches
        assert resolve(path[len("/accounts") :], urlconf=allauth_urls).url_name in (name, None)
    unused = {path for _name, path in UNUSED_PAGES}
    assert {
        "/accounts/email/",
        "/accounts/signup/",
        "/accounts/logout/",
        "/accounts/password/change/",
        "/accounts/password/set/",
        "/accounts/password/reset/",
        "/accounts/password/reset/key/1a-1a/",
        "/accounts/confirm-email/",
        "/accounts/confirm-email/1a/",
        "/accounts/reauthenticate/",
        "/accounts/3rdparty/",
        "/accounts/3rdparty/signup/",
        "/accounts/facebook/login/token/",
        "/accounts/google/login/token/",
    } <= unused


@pytest.mark.parametrize(("name", "path"), UNUSED_PAGES, ids=[name for name, _path in UNUSED_PAGES])
def test_an_allauth_page_the_portal_does_not_use_is_not_routed(client, db, name, path):
    host = HostFactory()
    for signed_in in (False, True):
        if signed_in:
            client.force_login(host.user)
        for method in (client.get, client.post):
            response = method(path)
            leads_to_signin = response.status_code in (301, 302) and response["Location"].startswith(
                "/signin/"
            )
            assert response.status_code == 404 or leads_to_signin, (
                f"{method.__name__.upper()} {path} ({'signed in' if signed_in else 'anonymous'}): "
                f"{response.status_code}"
            )
