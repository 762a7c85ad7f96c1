"""Announcements of the referrals app. They only notify: receivers call their own services."""

from django.dispatch import Signal

# Sent inside the transaction that moved a payout to paid (the transfer or store credit exists, or
# marketing marked a bank transfer paid): kwargs `payout`. Listener: notifications tell the host.
payout_paid = Signal()

# Sent inside the transaction that wrote attributions (new orders credited, a decision taken again,
# marketing's re-attribution): kwargs `attributions` (a list of referrals.models.Attribution), credited
# to a host or not. Listener: webhooks (`order.attributed` for those credited to a host).
orders_attributed = Signal()

# Sent inside the transaction that approved reward ledger lines (posted approved, a manual
# adjustment, or their holding period over): kwargs `entries` (a list of referrals.models.LedgerEntry).
# Listener: webhooks (`reward.approved`).
rewards_approved = Signal()
