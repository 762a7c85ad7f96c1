"""Listeners of other apps' announcements; each calls one referrals service."""

from typing import Any

from django.dispatch import receiver

from ambassadors.signals import host_selected, party_created
from orders.signals import order_recorded
from referrals.attribution import attribute_order
from referrals.codes import issue_host_code, issue_party_code


@receiver(host_selected, dispatch_uid="referrals.issue_host_code")
def _issue_code_for_selected_host(sender: Any, *, host: Any, **kwargs: Any) -> None:
    issue_host_code(host=host)


@receiver(party_created, dispatch_uid="referrals.issue_party_code")
def _issue_code_for_new_party(sender: Any, *, party: Any, **kwargs: Any) -> None:
    issue_party_code(party=party)


@receiver(order_recorded, dispatch_uid="referrals.attribute_order")
def _attribute_recorded_order(sender: Any, *, order: Any, **kwargs: Any) -> None:
    attribute_order(order=order)
