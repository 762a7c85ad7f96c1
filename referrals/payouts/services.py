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
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from ambassadors.models import Host
from backend.csv_export import csv_writer
from backend.errors import Conflict, Invalid
from backend.stripe_client import stripe_client, stripe_configured
from backend.transitions import check_transition, move_status
from orders.currencies import stripe_amount_from_decimal
from referrals.models import (
    CODE_ALPHABET,
    EntryKind,
    EntryState,
    LedgerEntry,
    Payout,
    PayoutAccount,
    PayoutMethod,
    PayoutStatus,
    RewardPlan,
)

logger = logging.getLogger(__name__)

DEFAULT_PAYOUT_MINIMUM = RewardPlan._meta.get_field("payout_minimum").get_default()
PAYOUT_TRANSITIONS: dict[str, set[str]] = {
    PayoutStatus.PENDING: {PayoutStatus.PAID},
    PayoutStatus.PAID: set(),
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


@transaction.atomic
def reserve_payout(*, host: Host, at: datetime | None = None) -> tuple[Payout | None, str]:
    """Phase 1 for one host: the payout row, its entries marked paid, the payout line; or why not.

    The host row is locked, so two runs at once reserve each approved entry once. A host with a
    payout still pending gets no second one until it is paid.
    """
    at = at or timezone.now()
    host = Host.objects.select_for_update().select_related("campaign", "user").get(pk=host.pk)
    if Payout.objects.filter(host=host, status=PayoutStatus.PENDING).exists():
        return None, "payout_pending"
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
    LedgerEntry.objects.filter(pk__in=[pk for pk, _ in entries]).update(
        state=EntryState.PAID, paid_at=at, payout=payout
    )
    LedgerEntry.objects.create(
        host=host,
        campaign=host.campaign,
        kind=EntryKind.PAYOUT,
        state=EntryState.PAID,
        basis=f"payout:{payout.pk}",
        amount=-total,
        currency=payout.currency,
        description=f"payout #{payout.pk} ({payout.get_method_display()})",
        created_at=at,
        approvable_at=at,
        approved_at=at,
        paid_at=at,
        payout=payout,
    )
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
    return paid


def _refused(error: stripe.StripeError) -> bool:
    status = error.http_status
    return status is not None and 400 <= status < 500 and status not in _RETRY_SAME_KEY_STATUSES


@transaction.atomic
def _record_failure(*, payout_id: int, message: str, refused: bool) -> Payout:
    payout = Payout.objects.select_for_update().get(pk=payout_id)
    payout.attempts += 1
    payout.last_error = message[:500]
    fields = ["attempts", "last_error"]
    if refused:
        # Stripe refused: nothing was created, and it would replay this refusal for the same key.
        payout.idempotency_key = payout_key(payout.pk, f"-retry-{payout.attempts}")
        fields.append("idempotency_key")
    payout.save(update_fields=fields)
    return payout


def _send_transfer(client: stripe.StripeClient, payout: Payout) -> Payout:
    account = PayoutAccount.objects.filter(user_id=payout.host.user_id).first()
    if account is None or not account.stripe_account_id:
        return _record_failure(payout_id=payout.pk, message="no connected Stripe account", refused=False)
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
    if client is None or payout.status != PayoutStatus.PENDING:
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
        return _record_failure(payout_id=payout.pk, message=message, refused=_refused(error))


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
        elif sent.method == PayoutMethod.BANK_TRANSFER or client is None:
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
    paid, _ = move_status(
        locked,
        to_status=PayoutStatus.PAID,
        transitions=PAYOUT_TRANSITIONS,
        fields={"paid_at": timezone.now(), "marked_paid_by": by, "last_error": ""},
    )
    return paid


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
    payouts = (
        Payout.objects.filter(status=PayoutStatus.PENDING, method=PayoutMethod.BANK_TRANSFER)
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
        raise Invalid("Unknown payout method.", code="invalid_choice", field="method")
    account, _ = PayoutAccount.objects.select_for_update().get_or_create(user=user)
    account.preferred_method = method
    account.save(update_fields=["preferred_method", "updated_at"])
    return account


def connect_stripe_account(*, user: Any, return_url: str, refresh_url: str) -> str:
    """Create (once) the person's Stripe Express account and return a fresh onboarding link."""
    if not stripe_configured():
        raise Conflict("Payouts through Stripe are not available.", code="stripe_not_configured")
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
