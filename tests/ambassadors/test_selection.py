"""Marketing review: lists, transitions with history, bulk, select-best, free slots."""

import re
import threading
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import close_old_connections
from django.urls import reverse

from ambassadors.hosts.signin import signin_path_for
from ambassadors.models import (
    Application,
    ApplicationStatus,
    CampaignStatus,
    Host,
    HostStatus,
)
from ambassadors.recruitment.selection import select_application, select_best_applications
from ambassadors.signals import host_selected
from backend.errors import Conflict
from tests.factories import ApplicationFactory, CampaignFactory, HostFactory

pytestmark = pytest.mark.django_db


def ids(response):
    return [row["id"] for row in response.json()["results"]]


# --- the review list ---------------------------------------------------------------------------


def test_the_review_list_is_for_marketing_only(api_client, logistics_client):
    ApplicationFactory()
    assert api_client.get("/api/v1/applications/").status_code in (401, 403)
    assert logistics_client.get("/api/v1/applications/").status_code == 403


def test_the_review_list_filters_and_sorts(marketing_client):
    campaign = CampaignFactory()
    paris = ApplicationFactory(
        campaign=campaign, postal_code="75011", follower_count=5000, social_verified=True, score=Decimal("50")
    )
    lyon = ApplicationFactory(
        campaign=campaign, postal_code="69002", follower_count=200, score=Decimal("30"), country="FR"
    )
    brussels = ApplicationFactory(
        campaign=campaign,
        postal_code="1000",
        country="BE",
        follower_count=900,
        score=Decimal("40"),
        status=ApplicationStatus.SHORTLISTED,
        risk_flags=["same_phone"],
    )
    ApplicationFactory(score=Decimal("99"))  # another campaign

    def get(query):
        response = marketing_client.get(f"/api/v1/applications/?campaign={campaign.pk}&{query}")
        assert response.status_code == 200, response.json()
        return ids(response)

    assert get("") == [paris.pk, brussels.pk, lyon.pk]  # best score first by default
    assert get("ordering=score") == [lyon.pk, brussels.pk, paris.pk]
    assert get("ordering=-follower_count") == [paris.pk, brussels.pk, lyon.pk]
    assert get("status=shortlisted") == [brussels.pk]
    assert get("status=submitted&status=shortlisted") == [paris.pk, brussels.pk, lyon.pk]
    assert get("country=be") == [brussels.pk]
    assert get("postal_prefix=75") == [paris.pk]
    assert get("followers_min=500&followers_max=1000") == [brussels.pk]
    assert get("verified=true") == [paris.pk]
    assert get("score_min=35") == [paris.pk, brussels.pk]
    assert get("flagged=true") == [brussels.pk]
    assert get("flagged=false") == [paris.pk, lyon.pk]


def test_a_bad_filter_value_answers_400(marketing_client):
    response = marketing_client.get("/api/v1/applications/?status=nonsense")
    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"


def test_the_review_list_runs_a_constant_number_of_queries(marketing_client, django_assert_max_num_queries):
    campaign = CampaignFactory()
    ApplicationFactory.create_batch(30, campaign=campaign)
    with django_assert_max_num_queries(4):  # user groups, count, page
        response = marketing_client.get(f"/api/v1/applications/?campaign={campaign.pk}")
    assert response.json()["total"] == 30


def test_the_detail_shows_the_history(marketing_client, marketing_user):
    application = ApplicationFactory()
    marketing_client.post(f"/api/v1/applications/{application.pk}/shortlist/", {"reason": "great profile"})
    body = marketing_client.get(f"/api/v1/applications/{application.pk}/").json()
    assert body["status"] == "shortlisted"
    assert body["history"][-1] == {
        "at": body["history"][-1]["at"],
        "by": marketing_user.email,
        "from_status": "submitted",
        "to_status": "shortlisted",
        "reason": "great profile",
    }


def test_unknown_application_answers_404(marketing_client):
    assert marketing_client.get("/api/v1/applications/999999/").status_code == 404


# --- single transitions ------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["shortlist", "waitlist"])
def test_shortlist_and_waitlist_record_who_when_from_to(marketing_client, marketing_user, action):
    application = ApplicationFactory()
    response = marketing_client.post(f"/api/v1/applications/{application.pk}/{action}/", {})
    assert response.status_code == 200, response.json()
    change = application.history.get()
    assert (change.by, change.from_status, change.to_status) == (
        marketing_user,
        "submitted",
        {"shortlist": "shortlisted", "waitlist": "waitlisted"}[action],
    )


def test_reject_needs_a_reason_and_emails_it(marketing_client, django_capture_on_commit_callbacks):
    application = ApplicationFactory(email="lea@example.com")
    missing = marketing_client.post(f"/api/v1/applications/{application.pk}/reject/", {})
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["attr"] == "reason"
    with django_capture_on_commit_callbacks(execute=True):
        response = marketing_client.post(
            f"/api/v1/applications/{application.pk}/reject/", {"reason": "Your area is already covered."}
        )
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert application.history.get().reason == "Your area is already covered."
    assert mail.outbox[0].to == ["lea@example.com"]
    assert "Your area is already covered." in mail.outbox[0].body


def test_an_illegal_move_answers_409_with_current_and_allowed(marketing_client):
    host = HostFactory()
    response = marketing_client.post(f"/api/v1/applications/{host.application.pk}/shortlist/", {})
    assert response.status_code == 409
    body = response.json()
    assert body["errors"][0]["code"] == "invalid_transition"
    assert body["extra"] == {"current": "selected", "requested": "shortlisted", "allowed": []}


def test_selecting_creates_host_and_user_without_password_invites_and_announces(
    marketing_client, marketing_user, django_capture_on_commit_callbacks
):
    # given
    application = ApplicationFactory(email="lea@example.com", first_name="Léa", language="fr")
    heard = []

    def receiver(sender, host, by, **kwargs):
        from django.db import connection

        heard.append((host.pk, by, connection.in_atomic_block))

    host_selected.connect(receiver)
    try:
        # when
        with django_capture_on_commit_callbacks(execute=True):
            response = marketing_client.post(f"/api/v1/applications/{application.pk}/select/", {})
    finally:
        host_selected.disconnect(receiver)
    # then
    assert response.status_code == 200, response.json()
    host = Host.objects.get(application=application)
    assert response.json()["host_id"] == host.pk
    assert host.status == HostStatus.INVITED
    assert host.user.email == "lea@example.com"
    assert not host.user.has_usable_password()
    assert (host.first_name, host.phone, host.postal_code) == (
        "Léa",
        application.phone,
        application.postal_code,
    )
    assert list(host.history.values_list("from_status", "to_status")) == [("", "invited")]
    assert heard == [(host.pk, marketing_user, True)]
    invitation = mail.outbox[-1]
    assert invitation.to == ["lea@example.com"]
    assert "/signin/link/" in invitation.body


def test_a_person_selected_again_in_a_later_campaign_keeps_one_account(client):
    # given a host who proved their address by signing in with the link sent to it
    first = HostFactory(status=HostStatus.ALUMNI)
    assert client.get(signin_path_for(first.user)).status_code == 302
    application = ApplicationFactory(email=first.user.email)

    host = select_application(application=application, by=None)

    assert host.user == first.user
    assert host.user.hostings.count() == 2


def test_a_new_account_is_created_with_its_address_recorded_but_not_verified():
    host = select_application(application=ApplicationFactory(email="lea@example.com"), by=None)

    assert list(EmailAddress.objects.filter(user=host.user).values_list("email", "primary", "verified")) == [
        ("lea@example.com", True, False)
    ]


def test_an_account_holding_the_address_without_having_proven_it_is_refused_with_409(marketing_client):
    # given an account whose address was never proven (its invitation link never used)
    first = HostFactory(status=HostStatus.ALUMNI)
    application = ApplicationFactory(email=first.user.email)

    # when marketing selects the application
    response = marketing_client.post(f"/api/v1/applications/{application.pk}/select/", {})

    # then a clear 409 in the one error shape; nothing attached to that account, nothing created
    assert response.status_code == 409, response.json()
    body = response.json()
    assert body["type"] == "client_error"
    assert body["errors"][0]["code"] == "email_not_verified"
    assert "signing in once with a link sent to the address" in body["errors"][0]["detail"]
    assert first.user.hostings.count() == 1
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not application.history.exists()


def test_once_the_holder_proves_the_address_the_same_selection_goes_through(client, marketing_client):
    first = HostFactory(status=HostStatus.ALUMNI)
    application = ApplicationFactory(email=first.user.email)
    assert marketing_client.post(f"/api/v1/applications/{application.pk}/select/", {}).status_code == 409

    # the holder asks for a reset link on the sign-in page and uses it
    client.post(reverse("portal:password-reset"), {"email": first.user.email})
    link = re.search(r"http://testserver(/password/reset/\S+/)", mail.outbox[-1].body).group(1)
    form_page = client.get(link, follow=True)
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-new-Secret-42", "new_password2": "a-new-Secret-42"},
    )
    assert done.status_code == 302

    response = marketing_client.post(f"/api/v1/applications/{application.pk}/select/", {})
    assert response.status_code == 200, response.json()
    assert Host.objects.get(application=application).user == first.user


def test_a_person_already_hosting_the_campaign_is_a_clear_409_not_a_500(marketing_client):
    # given an account that hosts the campaign and has proven a second address (set by staff)
    host = HostFactory()
    EmailAddress.objects.create(user=host.user, email="second@example.com", verified=True)
    application = ApplicationFactory(campaign=host.campaign, email="second@example.com")

    response = marketing_client.post(f"/api/v1/applications/{application.pk}/select/", {})

    assert response.status_code == 409, response.json()
    assert response.json()["errors"][0]["code"] == "already_hosting"
    assert host.user.hostings.count() == 1


def test_select_best_leaves_the_applications_selection_would_refuse_for_a_human():
    # given four good applications: an unknown person, a holder who never proved the address, a person
    # who proved it, and one already hosting this campaign under a second proven address
    campaign = CampaignFactory(host_slots=10)
    unproven = HostFactory(status=HostStatus.ALUMNI)
    proven = HostFactory(status=HostStatus.ALUMNI)
    EmailAddress.objects.create(user=proven.user, email=proven.user.email, verified=True, primary=True)
    hosting = HostFactory(application__campaign=campaign)
    EmailAddress.objects.create(user=hosting.user, email="second@example.com", verified=True)
    newcomer = ApplicationFactory(campaign=campaign, email="new@example.com")
    blocked = ApplicationFactory(campaign=campaign, email=unproven.user.email)
    returning = ApplicationFactory(campaign=campaign, email=proven.user.email)
    again = ApplicationFactory(campaign=campaign, email="second@example.com")

    hosts = select_best_applications(campaign=campaign, count=4, by=None)

    assert {host.application_id for host in hosts} == {newcomer.pk, returning.pk}
    assert Host.objects.get(application=returning).user == proven.user
    for left in (blocked, again):
        left.refresh_from_db()
        assert left.status == ApplicationStatus.SUBMITTED


def test_a_banned_person_cannot_be_selected_again():
    banned = HostFactory(status=HostStatus.BANNED)
    application = ApplicationFactory(email=banned.user.email)
    with pytest.raises(Conflict) as raised:
        select_application(application=application, by=None)
    assert raised.value.code == "previously_banned"
    assert not Host.objects.filter(application=application).exists()


def test_selection_beyond_the_free_slots_answers_409(marketing_client):
    campaign = CampaignFactory(host_slots=1)
    HostFactory(application__campaign=campaign)
    application = ApplicationFactory(campaign=campaign)
    response = marketing_client.post(f"/api/v1/applications/{application.pk}/select/", {})
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "no_free_slots"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not application.history.exists()


def test_a_banned_host_gives_the_slot_back():
    campaign = CampaignFactory(host_slots=1)
    HostFactory(application__campaign=campaign, status=HostStatus.BANNED)
    assert select_application(application=ApplicationFactory(campaign=campaign), by=None)


@pytest.mark.parametrize("status", [CampaignStatus.DRAFT, CampaignStatus.CLOSED])
def test_no_selection_while_the_campaign_is_draft_or_closed(status):
    application = ApplicationFactory(campaign=CampaignFactory(status=status))
    with pytest.raises(Conflict) as raised:
        select_application(application=application, by=None)
    assert raised.value.code == "campaign_not_selecting"


# --- bulk --------------------------------------------------------------------------------------


def test_bulk_gives_a_result_per_id(marketing_client):
    campaign = CampaignFactory(host_slots=1)
    first, second = ApplicationFactory.create_batch(2, campaign=campaign)
    already = ApplicationFactory(campaign=campaign, status=ApplicationStatus.SELECTED)
    response = marketing_client.post(
        "/api/v1/applications/bulk/",
        {"action": "select", "ids": [already.pk, first.pk, second.pk, 987654]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert (results[0]["ok"], results[0]["code"]) == (False, "invalid_transition")
    assert results[1] == {"id": first.pk, "ok": True, "status": "selected"}
    assert (results[2]["ok"], results[2]["code"]) == (False, "no_free_slots")
    assert (results[3]["ok"], results[3]["code"]) == (False, "not_found")
    assert Host.objects.filter(campaign=campaign).count() == 1


def test_bulk_shortlist_and_reject(marketing_client):
    batch = ApplicationFactory.create_batch(3)
    response = marketing_client.post(
        "/api/v1/applications/bulk/", {"action": "shortlist", "ids": [a.pk for a in batch]}, format="json"
    )
    assert [row["status"] for row in response.json()["results"]] == ["shortlisted"] * 3
    no_reason = marketing_client.post(
        "/api/v1/applications/bulk/", {"action": "reject", "ids": [batch[0].pk]}, format="json"
    )
    assert no_reason.status_code == 400
    assert Application.objects.filter(status=ApplicationStatus.SHORTLISTED).count() == 3


@pytest.mark.parametrize(
    "body",
    [
        {"action": "delete", "ids": [1]},
        {"action": "shortlist", "ids": []},
        {"action": "shortlist", "ids": ["x"]},
    ],
)
def test_bulk_refuses_bad_input(marketing_client, body):
    response = marketing_client.post("/api/v1/applications/bulk/", body, format="json")
    assert response.status_code == 400


# --- select the best N -------------------------------------------------------------------------


def test_select_best_spreads_across_postal_prefixes(marketing_client):
    campaign = CampaignFactory(host_slots=10)
    paris = [
        ApplicationFactory(campaign=campaign, postal_code=f"750{i:02d}", score=Decimal(90 - i))
        for i in range(4)
    ]
    lyon = ApplicationFactory(campaign=campaign, postal_code="69002", score=Decimal("50"))
    lille = ApplicationFactory(campaign=campaign, postal_code="59000", score=Decimal("40"))
    ApplicationFactory(campaign=campaign, postal_code="13001", score=Decimal("95"), risk_flags=["same_phone"])
    response = marketing_client.post(f"/api/v1/campaigns/{campaign.pk}/select-best/", {"count": 4})
    assert response.status_code == 200, response.json()
    selected = {row["application"] for row in response.json()["selected"]}
    # one per region first (best of Paris, Lyon, Lille), then the next best overall
    assert selected == {paris[0].pk, lyon.pk, lille.pk, paris[1].pk}
    assert Host.objects.filter(campaign=campaign).count() == 4


def test_select_best_beyond_free_slots_answers_409_and_selects_nobody(marketing_client):
    campaign = CampaignFactory(host_slots=3)
    HostFactory(application__campaign=campaign)
    ApplicationFactory.create_batch(5, campaign=campaign)
    response = marketing_client.post(f"/api/v1/campaigns/{campaign.pk}/select-best/", {"count": 3})
    assert response.status_code == 409
    assert response.json()["extra"] == {"host_slots": 3, "free_slots": 2, "requested": 3}
    assert Host.objects.filter(campaign=campaign).count() == 1


def test_select_best_can_include_flagged_applications(marketing_client):
    campaign = CampaignFactory()
    flagged = ApplicationFactory(campaign=campaign, risk_flags=["same_address"])
    response = marketing_client.post(
        f"/api/v1/campaigns/{campaign.pk}/select-best/", {"count": 1, "include_flagged": True}, format="json"
    )
    assert [row["application"] for row in response.json()["selected"]] == [flagged.pk]


# --- concurrency -------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_selections_never_exceed_the_slots():
    # given 3 slots and 12 marketers selecting 12 different applications at once
    campaign = CampaignFactory(host_slots=3)
    applications = ApplicationFactory.create_batch(12, campaign=campaign)
    barrier = threading.Barrier(len(applications))
    outcomes: list[str] = []

    def select(application):
        try:
            barrier.wait()
            select_application(application=application, by=None)
            outcomes.append("selected")
        except Conflict as conflict:
            outcomes.append(conflict.code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=select, args=(a,)) for a in applications]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert sorted(outcomes) == ["no_free_slots"] * 9 + ["selected"] * 3
    assert Host.objects.filter(campaign=campaign).count() == 3
    assert Application.objects.filter(status=ApplicationStatus.SELECTED).count() == 3


@pytest.mark.parametrize(
    "query", ["campaign=1e30", "followers_min=99999999999999999999999", "score_min=1e400", "campaign=-1"]
)
def test_absurd_filter_numbers_answer_400_not_a_server_error(marketing_client, query):
    ApplicationFactory()
    response = marketing_client.get(f"/api/v1/applications/?{query}")
    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
