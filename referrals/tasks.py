"""Background work of the referrals app; each task calls a service and is safe to run twice."""

from django_tasks import task

from referrals.attribution.services import reconcile_unattributed
from referrals.codes.links import purge_clicks, record_click
from referrals.codes.promotions import deactivate_mirror, mirror_code
from referrals.models import ReferralCode
from referrals.payouts.services import run_payouts
from referrals.rewards.services import approve_due_entries, recompute_running_campaigns


@task()
def mirror_code_to_stripe(*, code_id: int) -> str | None:
    code = ReferralCode.objects.select_related("campaign", "host").get(pk=code_id)
    return mirror_code(code=code)


@task()
def deactivate_stripe_mirror(*, code_id: int) -> bool:
    code = ReferralCode.objects.select_related("campaign", "host").get(pk=code_id)
    return deactivate_mirror(code=code)


@task()
def record_click_task(
    *, code_id: int | None, at: str, token: str, visitor_hash: str, referrer_host: str
) -> bool:
    """Enqueued by `/r/` for every person, live code or not, so both answer after the same work."""
    return record_click(
        code_id=code_id, at=at, token=token, visitor_hash=visitor_hash, referrer_host=referrer_host
    )


@task()
def purge_clicks_task() -> int:
    return purge_clicks()


@task()
def reconcile_attributions_task() -> int:
    return reconcile_unattributed()


@task()
def approve_rewards_task() -> int:
    return approve_due_entries()


@task()
def recompute_rewards_task() -> int:
    return recompute_running_campaigns()


@task()
def run_payouts_task() -> dict[str, int]:
    return run_payouts().as_dict()
