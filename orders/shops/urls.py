from django.urls import path

from orders.shops.api import ShopEndpointDetailApi, ShopEndpointListCreateApi

urlpatterns = [
    path("shop-endpoints/", ShopEndpointListCreateApi.as_view(), name="shop-endpoints"),
    path("shop-endpoints/<int:pk>/", ShopEndpointDetailApi.as_view(), name="shop-endpoint-detail"),
]
