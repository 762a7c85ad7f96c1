from django.urls import path

from orders.woocommerce.views import woocommerce_webhook

app_name = "woocommerce"

urlpatterns = [
    path("webhooks/woocommerce/<slug:slug>/", woocommerce_webhook, name="webhook"),
]
