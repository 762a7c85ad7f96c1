"""Announcements of the kits app. They only notify: receivers call their own services.

One signal asks instead: `slip_codes_wanted` lets the app that owns referral codes answer with the
code each host's packing slip prints, because kits may not import it (apps depend the other way).
"""

from django.dispatch import Signal

# Sent inside the closing transaction once a `KitSettlement` row exists: kwargs `settlement`, `by`.
# Listener: the rewards ledger (posts `settlement.amount_to_deduct` as a kit-return deduction).
kit_settled = Signal()

# Sent inside the transaction that handed a kit to the carrier: kwargs `shipment`, `by`.
# Listener: webhooks (`kit.shipped`).
kit_shipped = Signal()

# Sent while packing slips are built, with `host_ids`; a receiver answers `{host_id: code}`, the
# referral code printed on that host's slips (read only; no answer, no code printed).
# Receiver: referrals (each host's own live code).
slip_codes_wanted = Signal()
