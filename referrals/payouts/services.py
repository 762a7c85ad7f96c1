"""Payouts of approved rewards, exactly once (SPEC §8).

A payout run has two phases:

1. **Reserve** — one transaction per host, the host row locked: the approved entries are summed;
   when the sum reaches the plan's `payout_minimum`, a `Payout` row is created (its Stripe
   idempotency key derived from its own id), the entries are marked paid with that payout, and a
   negative `payout` line is posted. Nothing leaves the building yet.
2. **Send** — for every pending payout, including those left by an earlier run that crashed, one
   Stripe call carrying the payout's idempotency key; then the transfer (or store-credit promotion
   code) id is stored and the payout marked paid. A run that dies between the Stripe call and that
   commit sends the same key again next time, Stripe answers with the same transfer, and nobody is
   paid twice. A refusal by Stripe is recorded (attempts, last error) and retried at the next run.

Without Stripe configured, or for hosts who chose bank transfer, payouts stay pending for the CSV
export and are marked paid by hand.

Stripe forgets an idempotency key after about a day, and the payout run is weekly: a payout whose
outcome is unknown (a Stripe call was started and no answer recorded, `sent_at` set) is first
looked up at Stripe (transfers of its `transfer_group`, or its store-credit code) and the object
found is adopted; only when none exists is it sent again.

A payout Stripe refuses `PAYOUT_MAX_REFUSALS` times becomes `failed`: its entries go back to the
approved balance, the host is told why, and marketing retries or cancels it. A banned host's balance
is frozen (nothing reserved, sent, exported or marked paid) until marketing releases or forfeits it.
"""

import io
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext

from ambassadors.models import Host, HostStatus
from backend.csv_export import csv_writer
from backend.errors import Conflict, Invalid
from backend.stripe_client import stripe_client, stripe_configured
from backend.transitions import check_transition, move_status
from orders.currencies import stripe_amount_from_decimal
from referrals.models import (
    CODE_ALPHABET,
    EntryKind,
    EntryState,
    FrozenBalance,
    FrozenBalanceDecision,
    LedgerEntry,
    Payout,
    PayoutAccount,
    PayoutMethod,
    PayoutStatus,
    RewardPlan,
)
from referrals.signals import payout_paid

logger = logging.getLogger(__name__)

DEFAULT_PAYOUT_MINIMUM = RewardPlan._meta.get_field("payout_minimum").get_default()
PAYOUT_TRANSITIONS: dict[str, set[str]] = {
    PayoutStatus.PENDING: {PayoutStatus.PAID, PayoutStatus.FAILED, PayoutStatus.CANCELLED},
    PayoutStatus.PAID: set(),
    PayoutStatus.FAILED: {PayoutStatus.PENDING, PayoutStatus.CANCELLED},
    PayoutStatus.CANCELLED: set(),
}
# Sent to Stripe: a refusal (4xx) means nothing was created, so the next attempt may use a new key;
# a 5xx, a timeout or a lost answer may hide a transfer made, so the same key is sent again.
_RETRY_SAME_KEY_STATUSES = {409, 429}


def payout_key(payout_id: int, attempt_suffix: str = "") -> str:
    return f"soiree-payout-{payout_id}{attempt_suffix}"


@dataclass
class PayoutRunResult:
    reserved: list[Payout] = field(default_factory=list)
    paid: list[Payout] = field(default_factory=list)
    failed: list[Payout] = field(default_factory=list)
    waiting: list[Payout] = field(default_factory=list)  # bank transfers, or no Stripe configured
    skipped_hosts: dict[int, str] = field(default_factory=dict)  # host id → why no payout

    def as_dict(self) -> dict[str, Any]:
        return {
            "reserved": len(self.reserved),
            "paid": len(self.paid),
            "failed": len(self.failed),
            "waiting": len(self.waiting),
            "skipped": len(self.skipped_hosts),
        }


def _new_store_credit_code() -> str:
    suffix = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    return f"CREDIT-{suffix}"


def _method_for(account: PayoutAccount | None, *, stripe_configured: bool) -> tuple[str | None, str]:
    """How this person is paid now, or (None, why not)."""
    if not stripe_configured:
        return PayoutMethod.BANK_TRANSFER, ""
    preferred = account.preferred_method if account is not None else PayoutMethod.STRIPE_TRANSFER
    if preferred != PayoutMethod.STRIPE_TRANSFER:
        return preferred, ""
    if account is None or not account.stripe_account_id:
        return None, "stripe_account_missing"
    if not account.payouts_enabled:
        return None, "stripe_account_not_ready"
    return PayoutMethod.STRIPE_TRANSFER, ""


def hosts_with_approved_balance(*, campaign_id: int | None = None) -> list[int]:
    """Ids of hosts whose approved, unpaid entries add up to more than zero (one query)."""
    rows = LedgerEntry.objects.filter(state=EntryState.APPROVED).exclude(kind=EntryKind.PAYOUT)
    if campaign_id is not None:
        rows = rows.filter(campaign_id=campaign_id)
    totals = rows.values("host_id").annotate(total=Sum("amount")).filter(total__gt=0).order_by("host_id")
    return [row["host_id"] for row in totals]


def balance_frozen(host: Host) -> bool:
    """A banned host's balance is frozen until marketing releases it (a forfeited one stays so)."""
    if host.status != HostStatus.BANNED:
        return False
    return not FrozenBalance.objects.filter(host=host, decision=FrozenBalanceDecision.RELEASED).exists()


def _reserve_entries(*, host: Host, payout: Payout, entry_ids: list[int], at: datetime) -> None:
    """The entries marked paid with the payout, and the negative payout line."""
    LedgerEntry.objects.filter(pk__in=entry_ids).update(state=EntryState.PAID, paid_at=at, payout=payout)
    LedgerEntry.objects.create(
        host=host,
        campaign=payout.campaign,
        kind=EntryKind.PAYOUT,
        state=EntryState.PAID,
        basis=f"payout:{payout.pk}",
        amount=-payout.amount,
        currency=payout.currency,
        description=f"payout #{payout.pk} ({payout.get_method_display()})",
        created_at=at,
        approvable_at=at,
        approved_at=at,
        paid_at=at,
        payout=payout,
    )


def _release_entries(*, payout: Payout, why: str, at: datetime) -> None:
    """A payout that will never be sent: its entries are approved and unpaid again, and a payout line
    gives the amount back (the ledger stays append-only)."""
    LedgerEntry.objects.filter(payout=payout).exclude(kind=EntryKind.PAYOUT).update(
        state=EntryState.APPROVED, paid_at=None, payout=None
    )
    LedgerEntry.objects.create(
        host_id=payout.host_id,
        campaign_id=payout.campaign_id,
        kind=EntryKind.PAYOUT,
        state=EntryState.PAID,
        basis=f"payout:{payout.pk}",
        amount=payout.amount,
        currency=payout.currency,
        description=f"payout #{payout.pk} {why}: amount back in the approved balance"[:300],
        created_at=at,
        approvable_at=at,
        approved_at=at,
        paid_at=at,
        payout=payout,
    )


@transaction.atomic
def reserve_payout(*, host: Host, at: datetime | None = None) -> tuple[Payout | None, str]:
    """Phase 1 for one host: the payout row, its entries marked paid, the payout line; or why not.

    The host row is locked, so two runs at once reserve each approved entry once. A host with a
    payout still pending gets no second one until it is paid.
    """
    at = at or timezone.now()
    host = Host.objects.select_for_update().select_related("campaign", "user").get(pk=host.pk)
    if balance_frozen(host):
        return None, "balance_frozen"
    if Payout.objects.filter(host=host, status=PayoutStatus.PENDING).exists():
        return None, "payout_pending"
    if Payout.objects.filter(host=host, status=PayoutStatus.FAILED).exists():
        return None, "payout_failed"  # marketing retries or cancels it first
    entries = list(
        LedgerEntry.objects.filter(host=host, state=EntryState.APPROVED)
        .exclude(kind=EntryKind.PAYOUT)
        .values_list("pk", "amount")
    )
    total = sum((amount for _, amount in entries), Decimal("0.00"))
    plan = RewardPlan.objects.filter(campaign=host.campaign).first()
    minimum = plan.payout_minimum if plan is not None else DEFAULT_PAYOUT_MINIMUM
    if total <= 0 or total < minimum:
        return None, "below_minimum"
    account = PayoutAccount.objects.filter(user=host.user).first()
    method, why_not = _method_for(account, stripe_configured=stripe_configured())
    if method is None:
        return None, why_not
    payout = Payout.objects.create(
        host=host,
        campaign=host.campaign,
        amount=total,
        currency=host.campaign.currency,
        method=method,
        # A placeholder unique to this transaction; the key is derived from the id just below.
        idempotency_key=f"reserving-{secrets.token_hex(16)}",
        store_credit_code=_new_store_credit_code() if method == PayoutMethod.STORE_CREDIT else "",
        created_at=at,
    )
    payout.idempotency_key = payout_key(payout.pk)
    payout.save(update_fields=["idempotency_key"])
    _reserve_entries(host=host, payout=payout, entry_ids=[pk for pk, _ in entries], at=at)
    return payout, ""


def _metadata(payout: Payout) -> dict[str, str]:
    return {
        "soiree_payout_id": str(payout.pk),
        "soiree_host_id": str(payout.host_id),
        "soiree_campaign_id": str(payout.campaign_id),
    }


@transaction.atomic
def _record_sent(
    *, payout_id: int, transfer_id: str = "", promotion_code_id: str = "", at: datetime | None = None
) -> Payout:
    payout = Payout.objects.select_for_update().get(pk=payout_id)
    if payout.status != PayoutStatus.PENDING:
        return payout  # another run recorded the same Stripe answer first
    paid, _ = move_status(
        payout,
        to_status=PayoutStatus.PAID,
        transitions=PAYOUT_TRANSITIONS,
        fields={
            "stripe_transfer_id": transfer_id,
            "stripe_promotion_code_id": promotion_code_id,
            "attempts": payout.attempts + 1,
            "last_error": "",
            "paid_at": at or timezone.now(),
        },
    )
    payout_paid.send(sender=Payout, payout=paid)
    return paid


def _refused(error: stripe.StripeError) -> bool:
    status = error.http_status
    return status is not None and 400 <= status < 500 and status not in _RETRY_SAME_KEY_STATUSES


@transaction.atomic
def _record_failure(*, payout_id: int, message: str, refused: bool, code: str = "") -> Payout:
    payout = Payout.objects.select_for_update().get(pk=payout_id)
    if payout.status != PayoutStatus.PENDING:
        return payout
    payout.attempts += 1
    payout.last_error = message[:500]
    payout.last_error_code = code[:64]
    fields = ["attempts", "last_error", "last_error_code"]
    if not refused:
        payout.save(update_fields=fields)
        return payout
    # Stripe refused: nothing was created, and it would replay this refusal for the same key.
    payout.idempotency_key = payout_key(payout.pk, f"-retry-{payout.attempts}")
    payout.sent_at = None  # the outcome is known: nothing exists at Stripe
    fields += ["idempotency_key", "sent_at"]
    if payout.attempts < settings.PAYOUT_MAX_REFUSALS:
        payout.save(update_fields=fields)
        return payout
    # Refused again and again: the money goes back to the host's approved balance.
    failed, _ = move_status(
        payout,
        to_status=PayoutStatus.FAILED,
        transitions=PAYOUT_TRANSITIONS,
        fields={name: getattr(payout, name) for name in fields},
    )
    _release_entries(payout=failed, why="failed", at=timezone.now())
    return failed


def _mark_sending(payout: Payout) -> None:
    """Committed before the Stripe call: from now on the payout's outcome is unknown until recorded."""
    Payout.objects.filter(pk=payout.pk).update(sent_at=timezone.now())


def _send_transfer(client: stripe.StripeClient, payout: Payout) -> Payout:
    account = PayoutAccount.objects.filter(user_id=payout.host.user_id).first()
    if account is None or not account.stripe_account_id:
        return _record_failure(payout_id=payout.pk, message="no connected Stripe account", refused=False)
    if payout.sent_at is not None:
        # An earlier call may have made the transfer, and Stripe may have forgotten its key by now.
        found = client.v1.transfers.list(params={"transfer_group": payout_key(payout.pk), "limit": 10})
        if found.data:
            return _record_sent(payout_id=payout.pk, transfer_id=found.data[-1].id)
    _mark_sending(payout)
    transfer = client.v1.transfers.create(
        params={
            "amount": stripe_amount_from_decimal(payout.amount, payout.currency),
            "currency": payout.currency.lower(),
            "destination": account.stripe_account_id,
            "transfer_group": payout_key(payout.pk),
            "description": f"Soirée rewards, payout #{payout.pk}",
            "metadata": _metadata(payout),
        },
        options={"idempotency_key": payout.idempotency_key},
    )
    return _record_sent(payout_id=payout.pk, transfer_id=transfer.id)


def _send_store_credit(client: stripe.StripeClient, payout: Payout) -> Payout:
    if payout.sent_at is not None:
        # The code is unique: a promotion code bearing it is the one an earlier call made.
        found = client.v1.promotion_codes.list(params={"code": payout.store_credit_code, "limit": 1})
        if found.data:
            return _record_sent(payout_id=payout.pk, promotion_code_id=found.data[0].id)
    _mark_sending(payout)
    coupon = client.v1.coupons.create(
        params={
            "amount_off": stripe_amount_from_decimal(payout.amount, payout.currency),
            "currency": payout.currency.lower(),
            "duration": "once",
            "max_redemptions": 1,
            "name": f"Soirée store credit #{payout.pk}"[:40],
            "metadata": _metadata(payout),
        },
        options={"idempotency_key": f"{payout.idempotency_key}-coupon"},
    )
    promotion = client.v1.promotion_codes.create(
        params={
            "promotion": {"type": "coupon", "coupon": coupon.id},
            "code": payout.store_credit_code,
            "max_redemptions": 1,
            "metadata": _metadata(payout),
        },
        options={"idempotency_key": f"{payout.idempotency_key}-promotion-code"},
    )
    return _record_sent(payout_id=payout.pk, promotion_code_id=promotion.id)


def send_payout(*, payout: Payout, client: stripe.StripeClient | None = None) -> Payout:
    """Phase 2 for one pending payout: one Stripe call with its key, then the answer recorded.

    Not atomic on purpose: the Stripe call happens outside any transaction, and only its answer is
    committed. Bank transfers are not sent here (they wait for the export and "mark paid").
    """
    if client is None and stripe_configured():
        client = stripe_client()
    payout = Payout.objects.select_related("host").get(pk=payout.pk)
    if client is None or payout.status != PayoutStatus.PENDING or balance_frozen(payout.host):
        return payout
    if payout.method == PayoutMethod.BANK_TRANSFER:
        return payout
    try:
        if payout.method == PayoutMethod.STORE_CREDIT:
            return _send_store_credit(client, payout)
        return _send_transfer(client, payout)
    except stripe.StripeError as error:
        logger.warning(
            "payout refused or failed at Stripe",
            extra={"payout_id": payout.pk, "error": str(error)[:200]},
        )
        message = f"{type(error).__name__}: {error.user_message or error}"
        return _record_failure(
            payout_id=payout.pk, message=message, refused=_refused(error), code=str(error.code or "")
        )


def run_payouts(*, at: datetime | None = None, campaign_id: int | None = None) -> PayoutRunResult:
    """Reserve a payout for every host whose approved balance reaches the minimum, then send every
    pending payout (this run's and any left by an earlier one). Safe to run again at any time."""
    result = PayoutRunResult()
    for host in Host.objects.filter(pk__in=hosts_with_approved_balance(campaign_id=campaign_id)):
        payout, why_not = reserve_payout(host=host, at=at)
        if payout is None:
            result.skipped_hosts[host.pk] = why_not
        else:
            result.reserved.append(payout)
    client = stripe_client() if stripe_configured() else None
    pending = Payout.objects.filter(status=PayoutStatus.PENDING).order_by("pk")
    if campaign_id is not None:
        pending = pending.filter(campaign_id=campaign_id)
    for payout in pending:
        sent = send_payout(payout=payout, client=client)
        if sent.status == PayoutStatus.PAID:
            result.paid.append(sent)
        elif sent.method == PayoutMethod.BANK_TRANSFER or client is None or balance_frozen(sent.host):
            result.waiting.append(sent)
        else:
            result.failed.append(sent)
    return result


@transaction.atomic
def mark_payout_paid(*, payout: Payout, by: Any) -> Payout:
    """Marketing confirms a bank transfer was made. Stripe payouts are confirmed by Stripe only."""
    locked = Payout.objects.select_for_update().get(pk=payout.pk)
    # The state rule answers first (a payout already paid is refused as such), then the method rule.
    check_transition(current=locked.status, to_status=PayoutStatus.PAID, transitions=PAYOUT_TRANSITIONS)
    if locked.method != PayoutMethod.BANK_TRANSFER:
        raise Conflict(
            "Only bank transfers are marked paid by hand; Stripe payouts are sent by the payout run.",
            code="not_a_bank_transfer",
        )
    if balance_frozen(locked.host):
        raise Conflict(_FROZEN_MESSAGE, code="balance_frozen")
    paid, _ = move_status(
        locked,
        to_status=PayoutStatus.PAID,
        transitions=PAYOUT_TRANSITIONS,
        fields={"paid_at": timezone.now(), "marked_paid_by": by, "last_error": ""},
    )
    payout_paid.send(sender=Payout, payout=paid)
    return paid


_FROZEN_MESSAGE = "The host is banned: their balance is frozen until marketing releases or forfeits it."


@transaction.atomic
def retry_payout(*, payout: Payout, by: Any) -> Payout:
    """Marketing sends a failed payout again (e.g. once the host finished their Stripe account).

    Its amount went back to the approved balance when it failed: the payout reserves the host's
    approved balance again, as it is now, with a fresh idempotency key; the next run sends it."""
    host = Host.objects.select_for_update().select_related("campaign").get(pk=payout.host_id)
    locked = Payout.objects.select_for_update().get(pk=payout.pk)
    check_transition(current=locked.status, to_status=PayoutStatus.PENDING, transitions=PAYOUT_TRANSITIONS)
    if balance_frozen(host):
        raise Conflict(_FROZEN_MESSAGE, code="balance_frozen")
    entries = list(
        LedgerEntry.objects.filter(host=host, state=EntryState.APPROVED)
        .exclude(kind=EntryKind.PAYOUT)
        .values_list("pk", "amount")
    )
    total = sum((amount for _, amount in entries), Decimal("0.00"))
    if total <= 0:
        raise Conflict("The host has no approved balance to pay.", code="nothing_to_pay")
    at = timezone.now()
    pending, _ = move_status(
        locked,
        to_status=PayoutStatus.PENDING,
        transitions=PAYOUT_TRANSITIONS,
        fields={
            "amount": total,
            "idempotency_key": payout_key(locked.pk, f"-again-{secrets.token_hex(4)}"),
            "attempts": 0,
            "last_error": "",
            "last_error_code": "",
            "sent_at": None,
        },
    )
    _reserve_entries(host=host, payout=pending, entry_ids=[pk for pk, _ in entries], at=at)
    logger.info("failed payout retried", extra={"payout_id": pending.pk, "by": getattr(by, "pk", None)})
    return pending


@transaction.atomic
def cancel_payout(*, payout: Payout, by: Any) -> Payout:
    """Marketing gives up a failed payout, or a bank transfer not made: nothing was sent, the amount
    stays (or goes back) in the approved balance, and the next run pays it as usual."""
    locked = Payout.objects.select_for_update().get(pk=payout.pk)
    check_transition(current=locked.status, to_status=PayoutStatus.CANCELLED, transitions=PAYOUT_TRANSITIONS)
    if locked.status == PayoutStatus.PENDING and locked.method != PayoutMethod.BANK_TRANSFER:
        raise Conflict(
            "A pending Stripe payout may already be sent; only a failed one can be cancelled.",
            code="payout_in_flight",
        )
    was_pending = locked.status == PayoutStatus.PENDING
    cancelled, _ = move_status(locked, to_status=PayoutStatus.CANCELLED, transitions=PAYOUT_TRANSITIONS)
    if was_pending:
        _release_entries(payout=cancelled, why="cancelled", at=timezone.now())
    logger.info("payout cancelled", extra={"payout_id": cancelled.pk, "by": getattr(by, "pk", None)})
    return cancelled


def _decide_frozen_balance(*, host: Host, decision: str, reason: str, by: Any) -> FrozenBalance:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("A reason is required.", code="required", field="reason")
    if host.status != HostStatus.BANNED:
        raise Conflict("Only a banned host's balance is frozen.", code="not_banned")
    if FrozenBalance.objects.filter(host=host).exists():
        raise Conflict("This host's frozen balance was already decided.", code="already_decided")
    return FrozenBalance.objects.create(host=host, decision=decision, reason=reason[:500], decided_by=by)


@transaction.atomic
def release_frozen_balance(*, host: Host, reason: str, by: Any) -> FrozenBalance:
    """Marketing lets a banned host be paid what they earned (audited through the API)."""
    host = Host.objects.select_for_update().get(pk=host.pk)
    return _decide_frozen_balance(host=host, decision=FrozenBalanceDecision.RELEASED, reason=reason, by=by)


@transaction.atomic
def forfeit_frozen_balance(*, host: Host, reason: str, by: Any) -> FrozenBalance:
    """Marketing takes back a banned host's unpaid balance: one `forfeit` line per state (approved,
    pending) brings it to zero, with the reason; payouts reserved but never sent give their amount
    back first. A payout Stripe may already have made is refused (decide once it is settled)."""
    host = Host.objects.select_for_update().select_related("campaign").get(pk=host.pk)
    unsent = Payout.objects.select_for_update().filter(host=host, status=PayoutStatus.PENDING)
    if any(payout.sent_at is not None for payout in unsent):
        raise Conflict(
            "A payout to this host may be at Stripe; retry the run first.", code="payout_in_flight"
        )
    decided = _decide_frozen_balance(
        host=host, decision=FrozenBalanceDecision.FORFEITED, reason=reason, by=by
    )
    at = timezone.now()
    for payout in unsent:
        cancelled, _ = move_status(payout, to_status=PayoutStatus.CANCELLED, transitions=PAYOUT_TRANSITIONS)
        _release_entries(payout=cancelled, why="cancelled (balance forfeited)", at=at)
    unpaid = (
        LedgerEntry.objects.filter(host=host, state__in=[EntryState.PENDING, EntryState.APPROVED])
        .exclude(kind=EntryKind.PAYOUT)
        .values("state")
        .annotate(total=Sum("amount"))
    )
    for row in unpaid:
        if not row["total"]:
            continue
        LedgerEntry.objects.create(
            host=host,
            campaign=host.campaign,
            kind=EntryKind.FORFEIT,
            state=row["state"],
            basis=f"forfeit:{host.pk}",
            amount=-row["total"],
            currency=host.campaign.currency,
            description=f"forfeited: {decided.reason}"[:300],
            created_at=at,
            approvable_at=at,
            approved_at=at if row["state"] == EntryState.APPROVED else None,
            by=by,
            reason=decided.reason,
        )
    return decided


BANK_EXPORT_COLUMNS = [
    "payout_id",
    "reference",
    "created_at",
    "host_id",
    "first_name",
    "last_name",
    "email",
    "campaign",
    "amount",
    "currency",
]


def bank_payouts_to_export(*, campaign_id: int | None = None) -> Iterable[Payout]:
    """Pending bank transfers, except those of banned hosts whose balance is still frozen."""
    payouts = (
        Payout.objects.filter(status=PayoutStatus.PENDING, method=PayoutMethod.BANK_TRANSFER)
        .exclude(
            Q(host__status=HostStatus.BANNED)
            & ~Q(host__frozen_balance__decision=FrozenBalanceDecision.RELEASED)
        )
        .select_related("host__user", "campaign")
        .order_by("pk")
    )
    if campaign_id is not None:
        payouts = payouts.filter(campaign_id=campaign_id)
    return payouts


def bank_export_csv(payouts: Iterable[Payout]) -> str:
    """The pending bank transfers as CSV for the finance team (the reference goes on the transfer)."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(BANK_EXPORT_COLUMNS)
    for payout in payouts:
        host = payout.host
        writer.writerow(
            [
                payout.pk,
                payout.idempotency_key,
                payout.created_at.isoformat(),
                host.pk,
                host.first_name,
                host.last_name,
                host.user.email,
                payout.campaign.name,
                f"{payout.amount:.2f}",
                payout.currency,
            ]
        )
    return buffer.getvalue()


# --- The host's payout account -----------------------------------------------------------------


@transaction.atomic
def choose_payout_method(*, user: Any, method: str) -> PayoutAccount:
    if method not in PayoutMethod.values:
        raise Invalid(gettext("Unknown payout method."), code="invalid_choice", field="method")
    account, _ = PayoutAccount.objects.select_for_update().get_or_create(user=user)
    account.preferred_method = method
    account.save(update_fields=["preferred_method", "updated_at"])
    return account


def connect_stripe_account(*, user: Any, return_url: str, refresh_url: str) -> str:
    """Create (once) the person's Stripe Express account and return a fresh onboarding link."""
    if not stripe_configured():
        raise Conflict(gettext("Payouts through Stripe are not available."), code="stripe_not_configured")
    client = stripe_client()
    account, _ = PayoutAccount.objects.get_or_create(user=user)
    if not account.stripe_account_id:
        created = client.v1.accounts.create(
            params={
                "type": "express",
                "email": user.email,
                "capabilities": {"transfers": {"requested": True}},
                "metadata": {"soiree_user_id": str(user.pk)},
            },
            options={"idempotency_key": f"soiree-express-account-{user.pk}"},
        )
        with transaction.atomic():
            account = PayoutAccount.objects.select_for_update().get(pk=account.pk)
            if not account.stripe_account_id:
                account.stripe_account_id = created.id
                account.preferred_method = PayoutMethod.STRIPE_TRANSFER
                account.save(update_fields=["stripe_account_id", "preferred_method", "updated_at"])
    # Account links are single-use and expire within minutes: each click gets a new one.
    link = client.v1.account_links.create(
        params={
            "account": account.stripe_account_id,
            "type": "account_onboarding",
            "refresh_url": refresh_url,
            "return_url": return_url,
        }
    )
    return str(link.url)


def _apply_account_state(stripe_account_id: str, stripe_account: dict[str, Any]) -> int:
    return PayoutAccount.objects.filter(stripe_account_id=stripe_account_id).update(
        payouts_enabled=bool(stripe_account.get("payouts_enabled")),
        details_submitted=bool(stripe_account.get("details_submitted")),
        updated_at=timezone.now(),
    )


def refresh_stripe_account(*, user: Any) -> PayoutAccount | None:
    """Read the connected account back from Stripe (on return from onboarding)."""
    account = PayoutAccount.objects.filter(user=user).first()
    if not stripe_configured() or account is None or not account.stripe_account_id:
        return account
    remote = stripe_client().v1.accounts.retrieve(account.stripe_account_id)
    _apply_account_state(account.stripe_account_id, remote.to_dict())
    account.refresh_from_db()
    return account


def record_stripe_account_update(*, stripe_account: dict[str, Any]) -> int:
    """`account.updated`: the readiness of a connected account, as Stripe announced it."""
    account_id = str(stripe_account.get("id") or "")
    if not account_id:
        return 0
    return _apply_account_state(account_id, stripe_account)
