"""Selection: applications become hosts, never beyond the campaign's free slots.

One application at a time, the best N spread over postal-code prefixes, or one review action on
many applications at once (each succeeding or failing alone).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction

from ambassadors.models import (
    APPLICATION_TRANSITIONS,
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    Campaign,
    CampaignStatus,
    Host,
    HostStatus,
    HostStatusChange,
)
from ambassadors.recruitment.emails import host_invitation_email
from ambassadors.recruitment.services import reject_application, shortlist_application, waitlist_application
from ambassadors.signals import host_selected
from backend.errors import Conflict, Invalid
from backend.mail import send_email_on_commit
from backend.models import User
from backend.transitions import move_status
from backend.verified_addresses import record_unverified_email, user_with_verified_email

# Campaign states in which marketing may turn applications into hosts.
SELECTION_OPEN_STATUSES = frozenset(
    {CampaignStatus.RECRUITING, CampaignStatus.SELECTING, CampaignStatus.RUNNING}
)
# Applications that "select the best N" may pick from.
SELECTABLE_APPLICATION_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.SHORTLISTED,
    ApplicationStatus.WAITLISTED,
)


def free_slots(campaign: Campaign) -> int:
    """Host slots not taken yet; a banned host gives their slot back."""
    taken = Host.objects.filter(campaign=campaign).exclude(status=HostStatus.BANNED).count()
    return max(campaign.host_slots - taken, 0)


def _lock_campaign_for_selection(campaign: Campaign) -> Campaign:
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.status not in SELECTION_OPEN_STATUSES:
        raise Conflict(
            f"Hosts cannot be selected while the campaign is {locked.status}.",
            code="campaign_not_selecting",
            extra={"status": locked.status},
        )
    return locked


def _account_of_applicant(*, email: str, campaign: Campaign) -> User | None:
    """The account the applicant's address identifies, None when there is none yet.

    Only a verified address identifies a person: an account that holds the address without having
    proven it (an invitation never used, or an address typed on an account by whoever holds it) is
    refused rather than handed the applicant's host record and home address.
    """
    user = user_with_verified_email(email)
    holder = user or User.objects.filter(email=email).first()
    if holder is not None and Host.objects.filter(user=holder, status=HostStatus.BANNED).exists():
        raise Conflict("This person was banned from the programme.", code="previously_banned")
    if user is None and holder is not None:
        raise Conflict(
            "An account already uses this e-mail address but has not proven that it receives mail "
            "there. Its holder proves it by signing in once with a link sent to the address (an "
            "earlier invitation, or 'Forgot your password?' on the sign-in page); then select again.",
            code="email_not_verified",
        )
    if user is not None and Host.objects.filter(user=user, campaign=campaign).exists():
        raise Conflict("This person already hosts this campaign.", code="already_hosting")
    return user


@transaction.atomic
def select_application(*, application: Application, by: User | None, reason: str = "") -> Host:
    """Make the applicant a host: never beyond the campaign's free slots (the campaign row is locked).

    Creates the user account — with the application's address, not yet verified, and no usable
    password — or reuses the one that verified that address; the Host in state invited, history
    rows for both, the invitation with a one-time sign-in link (after commit), and announces
    `host_selected` inside the transaction so kits and referrals hook in.
    """
    campaign = _lock_campaign_for_selection(application.campaign)
    slots = free_slots(campaign)
    if slots <= 0:
        raise Conflict(
            "The campaign has no free host slot left.",
            code="no_free_slots",
            extra={"host_slots": campaign.host_slots, "free_slots": 0},
        )
    locked = Application.objects.select_for_update().get(pk=application.pk)
    user = _account_of_applicant(email=locked.email, campaign=campaign)
    selected, _previous = move_status(
        locked,
        to_status=ApplicationStatus.SELECTED,
        transitions=APPLICATION_TRANSITIONS,
        history=ApplicationStatusChange,
        by=by,
        reason=reason,
    )
    if user is None:
        user = User.objects.create_user(
            email=selected.email,
            password=None,
            first_name=selected.first_name,
            last_name=selected.last_name,
            language=selected.language,
        )
        record_unverified_email(user=user)
    host = Host.objects.create(
        user=user,
        campaign=campaign,
        application=selected,
        status=HostStatus.INVITED,
        first_name=selected.first_name,
        last_name=selected.last_name,
        phone=selected.phone,
        address_line1=selected.address_line1,
        address_line2=selected.address_line2,
        postal_code=selected.postal_code,
        city=selected.city,
        country=selected.country,
    )
    HostStatusChange.objects.create(
        host=host, by=by, from_status="", to_status=HostStatus.INVITED, reason=reason
    )
    send_email_on_commit(build=host_invitation_email, object_id=host.pk)  # the sign-in link is made then
    host_selected.send(sender=Host, host=host, by=by)
    return host


def _spread_over_postal_prefixes(candidates: Iterable[Application], count: int) -> list[Application]:
    """Best first, in rounds: each round takes the next best of every postal-code prefix."""
    by_prefix: dict[str, list[Application]] = defaultdict(list)
    for application in candidates:  # already sorted best first
        by_prefix[application.postal_prefix].append(application)
    queues = list(by_prefix.values())
    picked: list[Application] = []
    round_index = 0
    while len(picked) < count:
        this_round = [queue[round_index] for queue in queues if len(queue) > round_index]
        if not this_round:
            break
        this_round.sort(key=lambda a: (-a.score, a.pk))
        picked.extend(this_round[: count - len(picked)])
        round_index += 1
    return picked


@transaction.atomic
def select_best_applications(
    *, campaign: Campaign, count: int, by: User | None, include_flagged: bool = False
) -> list[Host]:
    """Select the best `count` applications by score, spread across postal-code prefixes.

    Asking for more than the free slots is refused as a whole (409). Applications with risk flags
    are left for a human unless `include_flagged`, and so are those `select_application` would
    refuse: an address held by an account that has not proven it, a person banned or already
    hosting this campaign. Fewer candidates than asked: all are selected.
    """
    if count < 1:
        raise Invalid("Count must be at least 1.", code="out_of_range", field="count")
    locked = _lock_campaign_for_selection(campaign)
    slots = free_slots(locked)
    if count > slots:
        raise Conflict(
            f"Only {slots} host slot(s) are free; {count} requested.",
            code="no_free_slots",
            extra={"host_slots": locked.host_slots, "free_slots": slots, "requested": count},
        )
    candidates = Application.objects.filter(
        campaign=locked, status__in=SELECTABLE_APPLICATION_STATUSES
    ).order_by("-score", "id")
    if not include_flagged:
        candidates = candidates.filter(risk_flags=[])
    proven = EmailAddress.objects.filter(verified=True)
    candidates = candidates.exclude(
        email__in=User.objects.exclude(email__in=proven.values("email")).values("email")
    ).exclude(email__in=proven.filter(user__hostings__campaign=locked).values("email"))
    banned_emails = set(Host.objects.filter(status=HostStatus.BANNED).values_list("user__email", flat=True))
    eligible = (application for application in candidates if application.email not in banned_emails)
    picked = _spread_over_postal_prefixes(eligible, count)
    return [
        select_application(application=application, by=by, reason="select best") for application in picked
    ]


APPLICATION_ACTIONS: dict[str, Callable[..., Application | Host]] = {
    "shortlist": shortlist_application,
    "waitlist": waitlist_application,
    "reject": reject_application,
    "select": select_application,
}


@transaction.atomic
def apply_bulk_application_action(
    *,
    campaign: Campaign | None = None,
    application_ids: list[int],
    action: str,
    by: User | None,
    reason: str = "",
) -> list[dict[str, Any]]:
    """Run one action on many applications; each succeeds or fails alone, with a result per id."""
    if action not in APPLICATION_ACTIONS:
        raise Invalid(f"Unknown action {action!r}.", code="invalid_choice", field="action")
    service = APPLICATION_ACTIONS[action]
    found = Application.objects.in_bulk(application_ids)
    results: list[dict[str, Any]] = []
    for application_id in application_ids:
        application = found.get(application_id)
        if application is None or (campaign is not None and application.campaign_id != campaign.pk):
            results.append({"id": application_id, "ok": False, "code": "not_found", "detail": "Not found."})
            continue
        try:
            with transaction.atomic():
                outcome = service(application=application, by=by, reason=reason)
        except (Invalid, Conflict) as error:
            results.append({"id": application_id, "ok": False, "code": error.code, "detail": error.message})
            continue
        status = outcome.status if isinstance(outcome, Application) else ApplicationStatus.SELECTED
        results.append({"id": application_id, "ok": True, "status": status})
    return results
