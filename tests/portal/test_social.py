"""Social sign-in through allauth's real flow; the provider's HTTP is a local fake server."""

import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from ambassadors.models import Application
from backend.models import User
from tests.factories import ApplicationFactory, CampaignFactory, HostFactory

APPLICATION = {
    "first_name": "Clara",
    "last_name": "Dupont",
    "email": "clara@example.com",
    "phone": "06 12 34 56 78",
    "address_line1": "3 rue des Lilas",
    "postal_code": "69003",
    "city": "Lyon",
    "country": "FR",
    "expected_guests": "15",
    "accept_terms": "on",
}


def social_dance(client, provider: str, next_url: str):
    """Press "Continue with …", let the fake provider authorize, come back to allauth's callback."""
    start = client.post(f"/accounts/{provider}/login/?next={next_url}")
    assert start.status_code == 302, start.content
    # The browser follows the redirect to the provider, which sends it back with a code.
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302
    callback = urlsplit(at_provider.headers["Location"])
    assert callback.path == f"/accounts/{provider}/login/callback/"
    return client.get(f"{callback.path}?{callback.query}")


def test_buttons_are_hidden_when_no_provider_is_configured(client, db):
    campaign = CampaignFactory()

    page = client.get(reverse("portal:apply", kwargs={"slug": campaign.slug}))

    assert page.status_code == 200
    assert b"Continue with" not in page.content
    assert b'name="email"' in page.content  # the plain form works alone


def test_buttons_appear_for_a_provider_configured_in_the_admin(client, fake_tiktok):
    campaign = CampaignFactory()

    page = client.get(reverse("portal:apply", kwargs={"slug": campaign.slug})).content.decode()

    assert "Continue with TikTok" in page
    assert f'action="/accounts/tiktok/login/?next=/c/{campaign.slug}/"' in page.replace("%2F", "/")


def test_providers_can_be_configured_from_the_environment():
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'backend.settings');"
        "from django.conf import settings;"
        "print(settings.SOCIALACCOUNT_PROVIDERS['google']['APPS'][0]['client_id'],"
        " 'APPS' in settings.SOCIALACCOUNT_PROVIDERS['tiktok'])"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": "x" * 50,
        "EMAIL_URL": "locmem://",  # without DEBUG, start-up needs one
        "SOCIAL_GOOGLE_CLIENT_ID": "google-client",
        "SOCIAL_GOOGLE_SECRET": "google-secret",
    }
    out = subprocess.run(  # noqa: S603 - our own interpreter on a fixed snippet
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["google-client", "False"]


def test_applying_with_tiktok_attaches_the_verified_identity(client, fake_tiktok):
    # given
    campaign = CampaignFactory(eligible_countries=["FR"])
    apply_url = reverse("portal:apply", kwargs={"slug": campaign.slug})

    # when the fan signs in with TikTok from the campaign page
    back = social_dance(client, "tiktok", apply_url)

    # then they are back on the form, told the account is attached, and nobody is signed in
    assert back.status_code == 302 and back["Location"] == apply_url
    page = client.get(apply_url).content.decode()
    assert "clara.parties" in page
    assert 'name="social_handle"' not in page  # nothing to declare by hand
    assert "_auth_user_id" not in client.session
    assert not User.objects.exists() and not SocialAccount.objects.exists()
    assert ("POST", "/token") in fake_tiktok.requests and ("GET", "/profile") in fake_tiktok.requests

    # when they send the form
    sent = client.post(apply_url, APPLICATION)

    # then the application carries the identity, marked verified
    assert sent.status_code == 302, sent.content.decode()
    application = Application.objects.get()
    assert application.social_network == "tiktok"
    assert application.social_uid == "tt-open-id-42"
    assert application.social_handle == "clara.parties"
    assert application.social_profile_url == "https://www.tiktok.com/@clara.parties"
    assert application.follower_count == 12800
    assert application.social_verified is True


def test_a_forged_social_field_cannot_replace_the_verified_identity(client, fake_tiktok):
    campaign = CampaignFactory(eligible_countries=["FR"])
    apply_url = reverse("portal:apply", kwargs={"slug": campaign.slug})
    social_dance(client, "tiktok", apply_url)

    client.post(apply_url, {**APPLICATION, "social_network": "instagram", "follower_count": "9999999"})

    application = Application.objects.get()
    assert (application.social_network, application.follower_count) == ("tiktok", 12800)


def test_a_provider_without_follower_count_leaves_it_empty(client, fake_instagram):
    campaign = CampaignFactory(eligible_countries=["FR"])
    apply_url = reverse("portal:apply", kwargs={"slug": campaign.slug})

    social_dance(client, "instagram", apply_url)
    client.post(apply_url, APPLICATION)

    application = Application.objects.get()
    assert application.social_network == "instagram"
    assert application.social_uid == "17841400000000001"
    assert application.social_profile_url == "https://instagram.com/clara_hosts"
    assert application.follower_count is None
    assert application.social_verified is True


def test_a_host_signs_in_with_the_social_account_verified_on_their_application(client, fake_tiktok):
    # given a host whose application was made with this TikTok account
    host = HostFactory(
        application=ApplicationFactory(
            status="selected", social_network="tiktok", social_uid="tt-open-id-42", social_verified=True
        )
    )

    # when they sign in with TikTok
    done = social_dance(client, "tiktok", reverse("portal:dashboard"))

    # then they are signed in as that host, the account now connected for next time
    assert done.status_code == 302 and done["Location"] == reverse("portal:dashboard")
    assert int(client.session["_auth_user_id"]) == host.user.pk
    assert SocialAccount.objects.get().user == host.user
    client.logout()
    social_dance(client, "tiktok", reverse("portal:dashboard"))
    assert int(client.session["_auth_user_id"]) == host.user.pk
    assert SocialAccount.objects.count() == 1


def test_a_self_declared_identity_never_signs_anyone_in(client, fake_tiktok):
    HostFactory(
        application=ApplicationFactory(
            status="selected", social_network="tiktok", social_uid="tt-open-id-42", social_verified=False
        )
    )

    refused = social_dance(client, "tiktok", reverse("portal:dashboard"))

    assert refused.status_code == 302 and refused["Location"] == reverse("portal:signin")
    assert "_auth_user_id" not in client.session
    assert not SocialAccount.objects.exists() and User.objects.count() == 1


def test_an_unknown_social_account_is_refused_with_a_message(client, fake_tiktok):
    refused = social_dance(client, "tiktok", reverse("portal:dashboard"))

    page = client.get(refused["Location"]).content.decode()
    assert "No host account is linked to this social account" in page
    assert not User.objects.exists()


@pytest.mark.parametrize("code", ["", "wrong-code"])
def test_a_callback_with_a_bad_code_signs_nobody_in(client, fake_tiktok, code):
    start = client.post("/accounts/tiktok/login/?next=/portal/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]

    client.get(f"/accounts/tiktok/login/callback/?code={code}&state={state}")

    assert "_auth_user_id" not in client.session
    assert not SocialAccount.objects.exists()


def test_signing_in_socially_accepts_the_invitation(client, fake_tiktok):
    host = HostFactory(
        status="invited",
        application=ApplicationFactory(
            status="selected", social_network="tiktok", social_uid="tt-open-id-42", social_verified=True
        ),
    )

    social_dance(client, "tiktok", reverse("portal:dashboard"))

    host.refresh_from_db()
    assert host.status == "active"


def test_the_form_names_the_network_it_is_connected_with(client, fake_tiktok):
    campaign = CampaignFactory(eligible_countries=["FR"])
    apply_url = reverse("portal:apply", kwargs={"slug": campaign.slug})
    social_dance(client, "tiktok", apply_url)
    client.cookies["django_language"] = "fr"

    html = client.get(apply_url).content.decode()

    assert "Compte TikTok connecté (clara.parties)" in html


def test_a_fan_who_cancels_at_the_provider_sees_a_portal_page_and_nothing_changes(client, fake_tiktok):
    start = client.post("/accounts/tiktok/login/?next=/portal/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]

    page = client.get(f"/accounts/tiktok/login/callback/?error=access_denied&state={state}", follow=True)

    assert page.status_code == 200
    assert 'href="/static/css/portal.css"' in page.content.decode()  # in the portal's own layout
    assert "_auth_user_id" not in client.session and not SocialAccount.objects.exists()


def test_allauths_own_sign_in_and_sign_up_lead_to_the_portal_sign_in(client, db):
    assert client.get("/accounts/login/?next=/portal/")["Location"] == "/signin/?next=/portal/"
    assert client.get("/accounts/signup/")["Location"] == "/signin/"


def test_applying_with_google_prefills_the_form_and_attaches_the_identity(client, fake_google):
    campaign = CampaignFactory(eligible_countries=["FR"])
    apply_url = reverse("portal:apply", kwargs={"slug": campaign.slug})

    social_dance(client, "google", apply_url)
    html = client.get(apply_url).content.decode()

    assert 'value="clara.dupont@gmail.com"' in html and 'value="Dupont"' in html
    client.post(apply_url, {**APPLICATION, "email": "Clara.Dupont@Gmail.com"})
    application = Application.objects.get()
    assert (application.social_network, application.social_uid) == ("google", "108000000000000000042")
    assert application.social_verified is True and application.follower_count is None
    assert application.email == "clara.dupont@gmail.com"


def test_applying_with_facebook_attaches_the_identity_and_its_profile_link(client, fake_facebook):
    campaign = CampaignFactory(eligible_countries=["FR"])
    apply_url = reverse("portal:apply", kwargs={"slug": campaign.slug})

    social_dance(client, "facebook", apply_url)
    client.post(apply_url, APPLICATION)

    application = Application.objects.get()
    assert (application.social_network, application.social_uid) == ("facebook", "10160000000000042")
    assert application.social_profile_url == "https://www.facebook.com/clara.dupont"
    assert application.social_verified is True
    assert ("GET", "/token") in fake_facebook.requests and ("GET", "/me") in fake_facebook.requests


def test_a_social_sign_in_does_not_prove_the_hosts_address(client, fake_tiktok):
    # The provider vouches for the social account, not for the address typed on the application.
    host = HostFactory(
        application=ApplicationFactory(
            status="selected", social_network="tiktok", social_uid="tt-open-id-42", social_verified=True
        )
    )

    social_dance(client, "tiktok", reverse("portal:dashboard"))

    assert int(client.session["_auth_user_id"]) == host.user.pk
    assert not EmailAddress.objects.filter(user=host.user, verified=True).exists()


def test_connecting_another_social_account_on_request_is_refused(client, fake_tiktok):
    # given a signed-in host whose application carried no social account
    host = HostFactory()
    client.force_login(host.user)

    # when they ask allauth to connect one to their account
    start = client.post("/accounts/tiktok/login/?process=connect&next=/portal/")
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=5)
    callback = urlsplit(at_provider.headers["Location"])
    refused = client.get(f"{callback.path}?{callback.query}")

    # then the portal's sign-in page says how social sign-in works, and nothing is connected
    assert refused.status_code == 302 and refused["Location"] == reverse("portal:signin")
    page = client.get(refused["Location"], follow=True).content.decode()
    assert "Sign in with the social account you applied with" in page
    assert not SocialAccount.objects.exists()
