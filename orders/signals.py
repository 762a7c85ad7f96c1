"""Announcements other apps listen to (attribution, rewards). They only notify.

Both are sent inside the recording transaction, right after the rows are written, and only when
something new was recorded (never for a repeated delivery). A receiver's writes therefore commit
with the order or refund, or not at all: an order and its attribution exist together, exactly once.
"""

from django.dispatch import Signal

# kwargs: `order` (orders.models.Order), freshly recorded.
order_recorded = Signal()

# kwargs: `orders` (a list of orders.models.Order), freshly recorded together by one import batch.
# Sent instead of `order_recorded` for each of them, so a listener can handle the batch in one go;
# whoever listens to one of the two listens to both.
orders_recorded = Signal()

# kwargs: `refund` (orders.models.Refund), `order` — sent when a refund changes what an order keeps:
# recorded on a known order, attached to an order that arrived after it, or its status moved.
refund_recorded = Signal()

# kwargs: `dispute` (orders.models.Dispute), `order` — sent when a chargeback changes what an order
# keeps (opened, won, lost, or attached to an order that arrived after it); `order.refunded_amount`
# already counts the money it holds, so listeners recompute as for a refund.
dispute_recorded = Signal()

# kwargs: `order` — the order was voided: whatever it earned must be taken back.
order_cancelled = Signal()

# kwargs: `account` (dict, Stripe's account object) — Stripe announced `account.updated` for a
# connected account; whoever keeps that account's payout readiness refreshes it.
stripe_account_updated = Signal()

# kwargs: `days` (a set of datetime.date) — reference exchange rates of these days were loaded:
# orders that waited for one of them can now be counted in their campaign's currency. Receivers
# return how many orders they credited.
exchange_rates_loaded = Signal()

# Asks, before a shop's order is recorded: the earliest moment an order may have been placed. A
# receiver answers a datetime (the start of the first campaign's year) or None; no answer, no bound.
# Receiver: referrals (the campaigns orders are credited to). Read only.
earliest_order_time_wanted = Signal()
