from django.urls import path

from orders.ingestion.api import OrderCancelApi, OrderDetailApi, OrdersApi

urlpatterns = [
    path("orders/", OrdersApi.as_view(), name="orders"),
    path("orders/<int:pk>/", OrderDetailApi.as_view(), name="order-detail"),
    path("orders/<int:pk>/cancel/", OrderCancelApi.as_view(), name="order-cancel"),
]
