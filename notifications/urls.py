from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("portal/notifications/", views.preferences, name="preferences"),
    path("notifications/stop/<str:token>/", views.stop, name="stop"),
]
