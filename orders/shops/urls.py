from django.urls import path

from orders.shops.api import ShopEndpointDetailApi, ShopEndpointListCreateApi
from orders.shops.api_keys import ShopApiKeyDetailApi, ShopApiKeyListCreateApi, ShopApiKeyRevokeApi

urlpatterns = [
    path("shop-endpoints/", ShopEndpointListCreateApi.as_view(), name="shop-endpoints"),
    path("shop-endpoints/<int:pk>/", ShopEndpointDetailApi.as_view(), name="shop-endpoint-detail"),
    path("shop-api-keys/", ShopApiKeyListCreateApi.as_view(), name="shop-api-keys"),
    path("shop-api-keys/<str:prefix>/", ShopApiKeyDetailApi.as_view(), name="shop-api-key"),
    path("shop-api-keys/<str:prefix>/revoke/", ShopApiKeyRevokeApi.as_view(), name="shop-api-key-revoke"),
]
