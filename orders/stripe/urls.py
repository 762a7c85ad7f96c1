from django.urls import path

from orders.stripe.views import stripe_webhook

app_name = "orders"

urlpatterns = [
    path("webhooks/stripe/", stripe_webhook, name="stripe-webhook"),
]
