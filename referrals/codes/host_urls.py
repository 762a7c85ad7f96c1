"""The hosts API's list route, served with each host's code and kit (`referrals.codes.hosts_api`)."""

from django.urls import path

from referrals.codes.hosts_api import HostWithCodeAndKitListApi

urlpatterns = [
    path("hosts/", HostWithCodeAndKitListApi.as_view(), name="host-list"),
]
