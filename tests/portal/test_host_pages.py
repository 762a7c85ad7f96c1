"""Sign-in, sign-out, password reset, the dashboard and the profile of a host."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ambassadors.models import Host
from referrals.models import ReferralCode
from tests.factories import CampaignFactory, HostFactory, PartyFactory, UserFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture
def host(db) -> Host:
    return HostFactory()


@pytest.fixture
def host_client(client, host):
    client.force_login(host.user)
    return client


def test_a_host_with_a_password_signs_in_and_lands_on_the_dashboard(client, host):
    host.user.set_password(PASSWORD)
    host.user.save()

    signed_in = client.post(
        reverse("portal:signin"), {"username": host.user.email.upper(), "password": PASSWORD}
    )

    assert signed_in.status_code == 302 and signed_in["Location"] == reverse("portal:dashboard")
    assert client.get(signed_in["Location"]).status_code == 200


def test_a_wrong_password_is_refused_on_the_page(client, host):
    page = client.post(reverse("portal:signin"), {"username": host.user.email, "password": "nope"})

    assert page.status_code == 200
    assert "errorlist" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_out_is_a_post_and_ends_the_session(host_client):
    assert host_client.get(reverse("portal:signout")).status_code == 405

    out = host_client.post(reverse("portal:signout"))

    assert out.status_code == 302
    assert "_auth_user_id" not in host_client.session


def test_portal_pages_need_a_signed_in_host(client, db):
    for name in ("portal:dashboard", "portal:profile"):
        page = client.get(reverse(name))
        assert page.status_code == 302 and page["Location"].startswith(reverse("portal:signin"))
    client.force_login(UserFactory())  # signed in, but hosts nothing
    assert client.get(reverse("portal:dashboard")).status_code == 404


def test_a_host_who_never_set_a_password_can_choose_one_by_email(
    client, host, django_capture_on_commit_callbacks
):
    assert not host.user.has_usable_password()

    client.post(reverse("portal:password-reset"), {"email": host.user.email})

    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-new-Secret-42", "new_password2": "a-new-Secret-42"},
    )
    assert done.status_code == 302
    host.user.refresh_from_db()
    assert host.user.check_password("a-new-Secret-42")


def test_password_reset_for_an_unknown_address_tells_nothing_and_sends_nothing(client, db):
    page = client.post(reverse("portal:password-reset"), {"email": "nobody@example.com"})

    assert page.status_code == 302
    assert not mail.outbox


def test_the_dashboard_shows_only_the_next_steps_that_apply(host_client, host):
    # given a brand-new host: no party yet, no code yet
    html = host_client.get(reverse("portal:dashboard")).content.decode()
    assert 'data-step="party"' in html
    assert 'data-step="kit"' not in html and 'data-step="share"' not in html

    # when a party is planned and a code is issued
    PartyFactory(host=host)
    ReferralCode.objects.create(code="CLARA-7K2F", kind="host", campaign=host.campaign, host=host)

    # then "plan a party" goes, "share your code" comes
    html = host_client.get(reverse("portal:dashboard")).content.decode()
    assert 'data-step="party"' not in html
    assert 'data-step="share"' in html and "CLARA-7K2F" in html


def test_the_kit_card_appears_once_the_kit_is_shipped(host_client, host):
    from kits.models import Shipment

    Shipment.objects.create(
        host=host,
        campaign=host.campaign,
        status="shipped",
        ship_to_name=host.full_name,
        ship_to_line1=host.address_line1,
        ship_to_postal_code=host.postal_code,
        ship_to_city=host.city,
        ship_to_country=host.country,
        ship_to_phone=host.phone,
    )

    html = host_client.get(reverse("portal:dashboard")).content.decode()

    assert 'data-step="kit"' in html


def test_a_paused_host_is_not_asked_to_share_or_plan(host_client, host):
    Host.objects.filter(pk=host.pk).update(status="paused")
    ReferralCode.objects.create(code="CLARA-7K2F", kind="host", campaign=host.campaign, host=host)

    html = host_client.get(reverse("portal:dashboard")).content.decode()

    assert "paused" in html
    assert 'data-step="share"' not in html and 'data-step="party"' not in html


def test_the_dashboard_shows_the_latest_campaign_with_dates_in_the_visitors_language(host_client, host):
    campaign = CampaignFactory(
        name="Hiver 2027",
        party_window_start=timezone.make_aware(timezone.datetime(2027, 1, 4, 12)),
        party_window_end=timezone.make_aware(timezone.datetime(2027, 2, 28, 12)),
    )
    HostFactory(user=host.user, application__campaign=campaign, application__email=host.user.email)
    host_client.cookies["django_language"] = "fr"

    html = host_client.get(reverse("portal:dashboard")).content.decode()

    assert "Hiver 2027" in html
    assert "4 janvier 2027" in html and "28 février 2027" in html


def test_the_dashboard_reads_a_fixed_number_of_queries(
    host_client, host, django_assert_num_queries, django_assert_max_num_queries
):
    PartyFactory(host=host)
    ReferralCode.objects.create(code="CLARA-7K2F", kind="host", campaign=host.campaign, host=host)
    # session, user, host, next party, plan, party progress, earnings (4), kit, next-step checks (3),
    # milestones and new notes (2)
    with django_assert_max_num_queries(15) as one:
        host_client.get(reverse("portal:dashboard"))
    for _ in range(10):
        PartyFactory(host=host)
        HostFactory()  # other hosts' data grows too
    with django_assert_num_queries(len(one.captured_queries)):
        host_client.get(reverse("portal:dashboard"))


def test_the_profile_saves_a_valid_phone_and_address(host_client, host):
    saved = host_client.post(
        reverse("portal:profile"),
        {
            "contact-phone": "07 98 76 54 32",
            "contact-address_line1": "8 quai Saint-Vincent",
            "contact-address_line2": "",
            "contact-postal_code": " 69001 ",
            "contact-city": "Lyon",
        },
    )

    assert saved.status_code == 302
    host.refresh_from_db()
    assert str(host.phone) == "+33798765432"
    assert (host.address_line1, host.postal_code) == ("8 quai Saint-Vincent", "69001")


@pytest.mark.parametrize(
    "field,value",
    [
        ("contact-phone", "12345"),
        ("contact-phone", "+1 202 555 01"),
        ("contact-postal_code", "69<script>"),
        ("contact-city", "x" * 81),
        ("contact-address_line1", ""),
    ],
)
def test_the_profile_refuses_bad_values_beside_the_field_and_writes_nothing(host_client, host, field, value):
    before = Host.objects.values().get(pk=host.pk)
    data = {
        "contact-phone": "07 98 76 54 32",
        "contact-address_line1": "8 quai Saint-Vincent",
        "contact-address_line2": "",
        "contact-postal_code": "69001",
        "contact-city": "Lyon",
        field: value,
    }

    page = host_client.post(reverse("portal:profile"), data)

    html = page.content.decode()
    assert page.status_code == 400
    block = html[html.index(f'for="id_{field}"') :]
    block = block[: block.index("</div>")]
    assert "errorlist" in block
    assert Host.objects.values().get(pk=host.pk) == before


def test_a_host_sets_a_password_from_the_profile_then_signs_in_with_it(host_client, host, client):
    saved = host_client.post(
        reverse("portal:profile"),
        {"password-new_password1": "a-new-Secret-42", "password-new_password2": "a-new-Secret-42"},
    )

    assert saved.status_code == 302
    assert "_auth_user_id" in host_client.session  # still signed in
    host_client.post(reverse("portal:signout"))
    again = host_client.post(
        reverse("portal:signin"), {"username": host.user.email, "password": "a-new-Secret-42"}
    )
    assert again.status_code == 302


def test_the_profile_edits_only_the_signed_in_hosts_own_record(host_client, host):
    other = HostFactory()

    host_client.post(
        reverse("portal:profile"),
        {
            "contact-phone": "07 98 76 54 32",
            "contact-address_line1": "Mine",
            "contact-address_line2": "",
            "contact-postal_code": "69001",
            "contact-city": "Lyon",
            "id": other.pk,
            "host": other.pk,
        },
    )

    other.refresh_from_db()
    assert other.address_line1 != "Mine"
    assert Host.objects.get(pk=host.pk).address_line1 == "Mine"


def test_the_profile_reads_a_fixed_number_of_queries(host_client, host, django_assert_num_queries):
    with django_assert_num_queries(3) as one:
        host_client.get(reverse("portal:profile"))
    for _ in range(5):
        PartyFactory(host=host)
    with django_assert_num_queries(len(one.captured_queries)):
        host_client.get(reverse("portal:profile"))


def test_the_invitation_link_signs_the_host_in_once(client, host):
    from ambassadors.hosts.signin import signin_path_for

    Host.objects.filter(pk=host.pk).update(status="invited")
    path = signin_path_for(host.user)

    first = client.get(path)
    assert first.status_code == 302 and first["Location"] == reverse("portal:dashboard")
    assert client.get(reverse("portal:dashboard")).status_code == 200
    client.post(reverse("portal:signout"))
    assert client.get(path).status_code == 400


def test_signing_in_by_password_accepts_the_invitation(client, host):
    Host.objects.filter(pk=host.pk).update(status="invited")
    host.user.set_password(PASSWORD)
    host.user.save()

    client.post(reverse("portal:signin"), {"username": host.user.email, "password": PASSWORD})

    host.refresh_from_db()
    assert host.status == "active"
    assert host.history.filter(from_status="invited", to_status="active").count() == 1


def test_password_guessing_is_slowed_down_per_address(client, host, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"token_login": "3/minute"})
    host.user.set_password(PASSWORD)
    host.user.save()
    for _ in range(3):
        client.post(reverse("portal:signin"), {"username": host.user.email, "password": "guess"})

    blocked = client.post(reverse("portal:signin"), {"username": host.user.email, "password": PASSWORD})

    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_emails_are_limited_per_address(
    client, host, monkeypatch, django_capture_on_commit_callbacks
):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"password_reset": "2/hour"})
    for _ in range(2):
        assert client.post(reverse("portal:password-reset"), {"email": host.user.email}).status_code == 302

    blocked = client.post(reverse("portal:password-reset"), {"email": host.user.email})

    assert blocked.status_code == 429
    assert "Too many requests" in blocked.content.decode()
    assert len(mail.outbox) == 2


def test_the_sign_in_page_reads_a_fixed_number_of_queries(client, db, django_assert_num_queries):
    from allauth.socialaccount.models import SocialApp

    with django_assert_num_queries(1):  # the social applications configured in the admin
        page = client.get(reverse("portal:signin"))
    assert "Continue with" not in page.content.decode()
    for provider in ("google", "instagram", "tiktok", "facebook"):
        SocialApp.objects.create(provider=provider, name=provider, client_id="id", secret="s")
    # allauth looks each configured provider's application up once: bounded by the four providers.
    with django_assert_num_queries(5):
        page = client.get(reverse("portal:signin"))
    assert page.content.decode().count("Continue with") == 4
