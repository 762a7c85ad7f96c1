"""Background work of the orders app; each task calls a service and is safe to run twice."""

from django_tasks import task

from orders.ingestion.services import add_order_lines
from orders.models import Order
from orders.stripe.handlers import fetch_session_lines


@task()
def fetch_stripe_order_lines(*, order_id: int) -> int:
    """Read a Stripe order's line items from its Checkout Session and record them (once)."""
    order = Order.objects.get(pk=order_id)
    if order.lines.exists():
        return 0
    return add_order_lines(
        order=order, lines=fetch_session_lines(session_id=order.external_id, currency=order.currency)
    )
