"""Listeners of other apps' announcements; each calls one referrals service."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ambassadors.models import Guest, Host, HostStatus
from ambassadors.parties.figures import PartyFigures
from ambassadors.signals import (
    host_selected,
    host_status_changed,
    party_cancelled,
    party_created,
    party_figures_wanted,
)
from kits.signals import kit_settled, slip_codes_wanted
from orders.signals import (
    dispute_recorded,
    earliest_order_time_wanted,
    exchange_rates_loaded,
    order_cancelled,
    order_recorded,
    orders_recorded,
    refund_recorded,
    stripe_account_updated,
)
from referrals.attribution.services import (
    attribute_recorded_orders,
    credit_orders_waiting_for_rate,
    first_campaign_year_start,
    stop_earning_for_cancelled_order,
)
from referrals.codes.services import (
    deactivate_codes,
    deactivate_party_code,
    issue_host_code,
    issue_party_code,
    live_host_codes,
)
from referrals.models import Attribution
from referrals.payouts.services import record_stripe_account_update
from referrals.reports.facts import count_party_guests, refresh_attributed_sale, refresh_guest_bought
from referrals.rewards.entitlement import scope_of
from referrals.rewards.progress import party_page_figures
from referrals.rewards.services import recompute_rewards


@receiver(host_selected, dispatch_uid="referrals.issue_host_code")
def _issue_code_for_selected_host(sender: Any, *, host: Any, **kwargs: Any) -> None:
    issue_host_code(host=host)


@receiver(host_selected, dispatch_uid="referrals.booking_bonus")
def _reward_the_booking_host(sender: Any, *, host: Any, **kwargs: Any) -> None:
    # The booking bonus is owed to the host at whose party this one was booked, once selected.
    for booking_host in Host.objects.filter(
        parties__guests__booked_application=host.application_id
    ).distinct():
        recompute_rewards(host=booking_host)


@receiver(party_created, dispatch_uid="referrals.issue_party_code")
def _issue_code_for_new_party(sender: Any, *, party: Any, **kwargs: Any) -> None:
    issue_party_code(party=party)


@receiver(host_status_changed, dispatch_uid="referrals.host_status_changed")
def _follow_host_status(sender: Any, *, host: Any, to_status: str, **kwargs: Any) -> None:
    if to_status == HostStatus.BANNED:
        deactivate_codes(host=host, reason="host banned")


@receiver(party_cancelled, dispatch_uid="referrals.retire_cancelled_party_code")
def _retire_cancelled_party_code(sender: Any, *, party: Any, **kwargs: Any) -> None:
    deactivate_party_code(party=party, reason="party cancelled")


@receiver(order_recorded, dispatch_uid="referrals.attribute_order")
def _attribute_recorded_order(sender: Any, *, order: Any, **kwargs: Any) -> None:
    attribute_recorded_orders(orders=[order])


@receiver(orders_recorded, dispatch_uid="referrals.attribute_orders")
def _attribute_recorded_orders(sender: Any, *, orders: list[Any], **kwargs: Any) -> None:
    attribute_recorded_orders(orders=orders)


@receiver(earliest_order_time_wanted, dispatch_uid="referrals.first_campaign_year")
def _first_campaign_year(sender: Any, **kwargs: Any) -> datetime | None:
    return first_campaign_year_start()


@receiver(exchange_rates_loaded, dispatch_uid="referrals.credit_orders_waiting_for_rate")
def _credit_orders_waiting_for_rate(sender: Any, **kwargs: Any) -> int:
    return credit_orders_waiting_for_rate()


@receiver(refund_recorded, dispatch_uid="referrals.rewards_after_refund")
@receiver(dispute_recorded, dispatch_uid="referrals.rewards_after_dispute")
@receiver(order_cancelled, dispatch_uid="referrals.rewards_after_cancellation")
def _recompute_after_money_came_back(sender: Any, *, order: Any, **kwargs: Any) -> None:
    attribution = Attribution.objects.filter(order=order, host__isnull=False).select_related("host").first()
    if attribution is not None and attribution.host is not None:  # always, by the filter
        recompute_rewards(host=attribution.host, scope=scope_of(attribution))


@receiver(order_cancelled, dispatch_uid="referrals.cancelled_order_earns_nothing")
def _cancelled_order_earns_nothing(sender: Any, *, order: Any, **kwargs: Any) -> None:
    stop_earning_for_cancelled_order(order=order)


@receiver(kit_settled, dispatch_uid="referrals.rewards_after_kit_settlement")
def _deduct_missing_kit_items(sender: Any, *, settlement: Any, **kwargs: Any) -> None:
    recompute_rewards(host=settlement.host)


@receiver(slip_codes_wanted, dispatch_uid="referrals.codes_for_packing_slips")
def _answer_codes_for_packing_slips(sender: Any, *, host_ids: list[int], **kwargs: Any) -> dict[int, str]:
    return live_host_codes(host_ids)


@receiver(party_figures_wanted, dispatch_uid="referrals.party_page_figures")
def _answer_party_figures(sender: Any, *, party: Any, **kwargs: Any) -> PartyFigures:
    return party_page_figures(party=party)


@receiver(refund_recorded, dispatch_uid="referrals.report_after_refund")
@receiver(dispute_recorded, dispatch_uid="referrals.report_after_dispute")
@receiver(order_cancelled, dispatch_uid="referrals.report_after_cancellation")
def _refresh_report_row(sender: Any, *, order: Any, **kwargs: Any) -> None:
    refresh_attributed_sale(order=order)


@receiver(stripe_account_updated, dispatch_uid="referrals.payout_account_readiness")
def _keep_payout_account_readiness(sender: Any, *, account: dict[str, Any], **kwargs: Any) -> None:
    record_stripe_account_update(stripe_account=account)


# Django's own notifications of a guest row written or deleted (every path: the guest services,
# a party deleted with its guests, the admin): the report's per-party guest count and which
# sales were placed by a guest follow them.
@receiver(post_save, sender=Guest, dispatch_uid="referrals.count_guest_added")
def _count_guest_added(
    sender: Any, *, instance: Guest, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if raw:
        return
    with transaction.atomic():  # one unit with the row's own write when a caller saves outside one
        if created:
            count_party_guests(party_id=instance.party_id, change=1)
        refresh_guest_bought(party_id=instance.party_id)


@receiver(post_delete, sender=Guest, dispatch_uid="referrals.count_guest_deleted")
def _count_guest_deleted(sender: Any, *, instance: Guest, **kwargs: Any) -> None:
    with transaction.atomic():
        count_party_guests(party_id=instance.party_id, change=-1)
        refresh_guest_bought(party_id=instance.party_id)
