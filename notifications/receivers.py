"""Listeners of other apps' announcements; each calls one notifications service."""

from typing import Any

from django.dispatch import receiver

from ambassadors.signals import party_cancelled, party_closed
from notifications.services import notify_party_cancelled, notify_party_earned, notify_payout_sent
from referrals.signals import payout_paid


@receiver(party_cancelled, dispatch_uid="notifications.party_cancelled")
def _tell_guests_the_party_is_cancelled(sender: Any, *, party: Any, **kwargs: Any) -> None:
    notify_party_cancelled(party=party)


@receiver(party_closed, dispatch_uid="notifications.party_earned")
def _tell_host_what_the_party_earned(sender: Any, *, party: Any, **kwargs: Any) -> None:
    notify_party_earned(party=party)


@receiver(payout_paid, dispatch_uid="notifications.payout_sent")
def _tell_host_the_payout_is_sent(sender: Any, *, payout: Any, **kwargs: Any) -> None:
    notify_payout_sent(payout=payout)
