import time

import jwt
import pytest
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.facebook import flows as facebook_flows
from allauth.socialaccount.providers.facebook.views import FacebookOAuth2Adapter
from allauth.socialaccount.providers.google.views import GoogleOAuth2Adapter
from allauth.socialaccount.providers.instagram.views import InstagramOAuth2Adapter
from allauth.socialaccount.providers.tiktok.views import TikTokOAuth2Adapter

from tests.portal.fake_provider import FakeProvider


def _point_adapter_at(monkeypatch, adapter_class, fake: FakeProvider) -> None:
    # allauth's adapters name the provider's real addresses; here they lead to the local fake.
    monkeypatch.setattr(adapter_class, "authorize_url", f"{fake.base_url}/authorize")
    monkeypatch.setattr(adapter_class, "access_token_url", f"{fake.base_url}/token")
    monkeypatch.setattr(adapter_class, "profile_url", f"{fake.base_url}/profile")


@pytest.fixture
def fake_tiktok(db, monkeypatch):
    """TikTok configured in the admin (a SocialApp row), its servers answered by a local fake."""
    SocialApp.objects.create(provider="tiktok", name="TikTok", client_id="tiktok-key", secret="tiktok-secret")
    fake = FakeProvider(
        client_id="tiktok-key",
        secret="tiktok-secret",
        client_id_parameter="client_key",
        profile={
            "data": {
                "user": {
                    "open_id": "tt-open-id-42",
                    "display_name": "Clara Dupont",
                    "username": "clara.parties",
                    "profile_deep_link": "https://www.tiktok.com/@clara.parties",
                    "follower_count": 12800,
                }
            }
        },
    ).start()
    _point_adapter_at(monkeypatch, TikTokOAuth2Adapter, fake)
    yield fake
    fake.stop()


@pytest.fixture
def fake_instagram(db, monkeypatch):
    SocialApp.objects.create(
        provider="instagram", name="Instagram", client_id="insta-id", secret="insta-secret"
    )
    fake = FakeProvider(
        client_id="insta-id",
        secret="insta-secret",
        client_id_parameter="client_id",
        profile={"id": "17841400000000001", "username": "clara_hosts"},
    ).start()
    _point_adapter_at(monkeypatch, InstagramOAuth2Adapter, fake)
    yield fake
    fake.stop()


@pytest.fixture
def fake_google(db, monkeypatch):
    """Google configured in the admin; its token endpoint answers with an OpenID Connect id_token."""
    SocialApp.objects.create(provider="google", name="Google", client_id="google-id", secret="google-secret")

    def id_token() -> dict:
        claims = {
            "iss": "https://accounts.google.com",
            "aud": "google-id",
            "sub": "108000000000000000042",
            "email": "Clara.Dupont@Gmail.com",
            "email_verified": True,
            "given_name": "Clara",
            "family_name": "Dupont",
            "name": "Clara Dupont",
            "iat": int(time.time()),
            "exp": int(time.time()) + 600,
        }
        return {"id_token": jwt.encode(claims, "fake-provider-signing-key-of-32-bytes", algorithm="HS256")}

    fake = FakeProvider(
        client_id="google-id",
        secret="google-secret",
        client_id_parameter="client_id",
        profile={},
        token_extra=id_token,
    ).start()
    monkeypatch.setattr(GoogleOAuth2Adapter, "authorize_url", f"{fake.base_url}/authorize")
    monkeypatch.setattr(GoogleOAuth2Adapter, "access_token_url", f"{fake.base_url}/token")
    yield fake
    fake.stop()


@pytest.fixture
def fake_facebook(db, monkeypatch):
    """Facebook configured in the admin; token and Graph API (`/me`) answered by the local fake."""
    SocialApp.objects.create(provider="facebook", name="Facebook", client_id="fb-id", secret="fb-secret")
    fake = FakeProvider(
        client_id="fb-id",
        secret="fb-secret",
        client_id_parameter="client_id",
        profile={
            "id": "10160000000000042",
            "name": "Clara Dupont",
            "first_name": "Clara",
            "last_name": "Dupont",
            "email": "clara@example.com",
            "link": "https://www.facebook.com/clara.dupont",
        },
    ).start()
    monkeypatch.setattr(FacebookOAuth2Adapter, "authorize_url", f"{fake.base_url}/authorize")
    monkeypatch.setattr(FacebookOAuth2Adapter, "access_token_url", f"{fake.base_url}/token")
    monkeypatch.setattr(facebook_flows, "GRAPH_API_URL", fake.base_url)
    yield fake
    fake.stop()
