from django.urls import path

from webhooks import api

urlpatterns = [
    path("webhooks/endpoints/", api.EndpointListApi.as_view(), name="webhook-endpoints"),
    path("webhooks/endpoints/<int:endpoint_id>/", api.EndpointDetailApi.as_view(), name="webhook-endpoint"),
    path("webhooks/deliveries/", api.DeliveryListApi.as_view(), name="webhook-deliveries"),
    path("webhooks/deliveries/<int:delivery_id>/", api.DeliveryDetailApi.as_view(), name="webhook-delivery"),
    path(
        "webhooks/deliveries/<int:delivery_id>/resend/",
        api.DeliveryResendApi.as_view(),
        name="webhook-delivery-resend",
    ),
]
