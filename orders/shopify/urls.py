from django.urls import path

from orders.shopify.views import shopify_webhook

app_name = "shopify"

urlpatterns = [
    path("webhooks/shopify/<slug:slug>/", shopify_webhook, name="webhook"),
]
