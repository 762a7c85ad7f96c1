"""Announcements of the referrals app. They only notify: receivers call their own services."""

from django.dispatch import Signal

# Sent inside the transaction that moved a payout to paid (the transfer or store credit exists, or
# marketing marked a bank transfer paid): kwargs `payout`. Listener: notifications tell the host.
payout_paid = Signal()
