"""Score with its explanation, and risk flags, as marketing sees them."""

from decimal import Decimal

import pytest

from ambassadors.models import HostStatus
from ambassadors.recruitment.scoring import RiskFlag, compute_score, is_disposable_email
from ambassadors.recruitment.services import SocialIdentity, submit_application
from tests.factories import CampaignFactory, HostFactory

pytestmark = pytest.mark.django_db


def apply(campaign, **overrides):
    kwargs = {
        "campaign": campaign,
        "first_name": "Léa",
        "last_name": "Martin",
        "email": "lea@example.com",
        "phone": "0612345678",
        "address_line1": "3 place Bellecour",
        "address_line2": "",
        "postal_code": "69002",
        "city": "Lyon",
        "country": "FR",
        "motivation": "",
        "expected_guests": 10,
        "preferred_party_period": "",
        "accept_terms": True,
        "marketing_consent": False,
        "photo_consent": False,
        "social": None,
        "utm": {},
        "ip_address": None,
        "language": "fr",
    }
    kwargs.update(overrides)
    return submit_application(**kwargs)


def points(explanation, factor):
    return next(Decimal(line["points"]) for line in explanation if line["factor"] == factor)


def test_followers_are_log_scaled_and_capped():
    _, thousand = compute_score(follower_count=999, social_verified=False, expected_guests=1, motivation="")
    _, ten_thousand = compute_score(
        follower_count=9999, social_verified=False, expected_guests=1, motivation=""
    )
    _, huge = compute_score(follower_count=10**9, social_verified=False, expected_guests=1, motivation="")
    _, none = compute_score(follower_count=None, social_verified=False, expected_guests=1, motivation="")
    assert points(thousand, "followers") == Decimal("30.00")
    assert points(ten_thousand, "followers") == Decimal("40.00")  # ×10 followers = +10 points, not ×10
    assert points(huge, "followers") == Decimal("60.00")
    assert points(none, "followers") == Decimal("0.00")


def test_score_is_the_sum_of_its_explained_parts():
    score, explanation = compute_score(
        follower_count=999, social_verified=True, expected_guests=40, motivation="x" * 120
    )
    assert {line["factor"] for line in explanation} == {
        "followers",
        "verified",
        "expected_guests",
        "motivation",
    }
    assert points(explanation, "verified") == Decimal("15.00")
    assert points(explanation, "expected_guests") == Decimal("25.00")  # capped
    assert points(explanation, "motivation") == Decimal("5.00")
    assert score == Decimal("75.00")
    assert all(line["detail"] for line in explanation)


def test_a_verified_account_scores_more_than_the_same_self_declared_one():
    campaign = CampaignFactory()
    identity = {"network": "instagram", "uid": "1", "handle": "a", "profile_url": "", "follower_count": 500}
    verified = apply(campaign, email="a@example.com", social=SocialIdentity(**identity, verified=True))
    declared = apply(
        campaign,
        email="b@example.com",
        phone="0698765432",
        address_line1="9 rue Neuve",
        social=SocialIdentity(**identity, verified=False),
    )
    assert verified.score - declared.score == Decimal("15.00")


def test_same_phone_on_another_application_flags_both():
    campaign = CampaignFactory()
    first = apply(campaign, email="a@example.com", address_line1="1 rue A")
    second = apply(campaign, email="b@example.com", address_line1="2 rue B", phone="+33 6 12 34 56 78")
    first.refresh_from_db()
    assert RiskFlag.SAME_PHONE in second.risk_flags
    assert RiskFlag.SAME_PHONE in first.risk_flags


def test_same_address_written_differently_flags_both():
    campaign = CampaignFactory()
    first = apply(campaign, email="a@example.com", address_line1="3 Place Bellecour")
    second = apply(campaign, email="b@example.com", phone="0698765432", address_line1=" 3, place  bellecour ")
    first.refresh_from_db()
    assert second.risk_flags == [RiskFlag.SAME_ADDRESS]
    assert first.risk_flags == [RiskFlag.SAME_ADDRESS]


def test_the_same_phone_in_another_campaign_is_not_a_risk():
    apply(CampaignFactory())
    again = apply(CampaignFactory())
    assert again.risk_flags == []


@pytest.mark.parametrize("email", ["x@yopmail.com", "x@MAILINATOR.com", "x@eu.mailinator.com"])
def test_disposable_email_domains_are_flagged(email):
    assert is_disposable_email(email)
    application = apply(CampaignFactory(), email=email)
    assert RiskFlag.DISPOSABLE_EMAIL in application.risk_flags


def test_an_ordinary_domain_is_not_disposable():
    assert not is_disposable_email("lea@orange.fr")


def test_many_applications_from_one_ip_are_flagged():
    campaign = CampaignFactory()
    created = [
        apply(
            campaign,
            email=f"p{i}@example.com",
            phone=f"06123456{i:02d}",
            address_line1=f"{i} rue Haute",
            ip_address="192.0.2.1",
        )
        for i in range(3)
    ]
    for application in created:
        application.refresh_from_db()
    assert [RiskFlag.MANY_FROM_ONE_IP in a.risk_flags for a in created] == [True, True, True]
    elsewhere = apply(
        campaign,
        email="z@example.com",
        phone="0699999999",
        address_line1="1 rue Basse",
        ip_address="192.0.2.2",
    )
    assert elsewhere.risk_flags == []


def test_a_previously_banned_host_is_flagged():
    banned = HostFactory(status=HostStatus.BANNED, application__email="lea@example.com")
    application = apply(CampaignFactory(), phone="0698765432", address_line1="8 rue Y")
    assert banned.campaign_id != application.campaign_id
    assert RiskFlag.PREVIOUSLY_BANNED in application.risk_flags


def test_marketing_sees_score_explanation_and_flags(marketing_client):
    application = apply(CampaignFactory(), email="x@yopmail.com")
    body = marketing_client.get(f"/api/v1/applications/{application.pk}/").json()
    assert body["score"] == str(application.score)
    assert body["score_explanation"][0]["factor"] == "followers"
    assert body["risk_flags"] == [RiskFlag.DISPOSABLE_EMAIL]
