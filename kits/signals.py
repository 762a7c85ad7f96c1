"""Announcements of the kits app. They only notify: receivers call their own services."""

from django.dispatch import Signal

# Sent inside the closing transaction once a `KitSettlement` row exists: kwargs `settlement`, `by`.
# Listener: the rewards ledger (posts `settlement.amount_to_deduct` as a kit-return deduction).
kit_settled = Signal()
