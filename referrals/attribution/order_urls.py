"""The orders API's routes, served with each order's attribution (`referrals.attribution.orders_api`)."""

from django.urls import path

from referrals.attribution.orders_api import (
    AttributedOrderCancelApi,
    AttributedOrderDetailApi,
    AttributedOrdersApi,
)

urlpatterns = [
    path("orders/", AttributedOrdersApi.as_view(), name="orders"),
    path("orders/<int:pk>/", AttributedOrderDetailApi.as_view(), name="order-detail"),
    path("orders/<int:pk>/cancel/", AttributedOrderCancelApi.as_view(), name="order-cancel"),
]
