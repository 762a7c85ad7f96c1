"""Hosts API: marketing lists and moves hosts; a signed-in person reads their own participations."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ambassadors.hosts import serializers as s
from ambassadors.hosts import services
from ambassadors.hosts.filters import HostFilter
from ambassadors.models import Host, HostStatusChange
from backend.filters import FilterBackend
from backend.openapi import CONFLICT
from backend.pagination import CountedCursorPagination
from backend.permissions import IsMarketing, staff_user


class HostListApi(generics.ListAPIView):
    """The hosts, most recently selected first, filtered by campaign, status or postal prefix.
    Marketing (or admin) only."""

    permission_classes = [IsMarketing]
    serializer_class = s.HostSerializer
    filter_backends = [FilterBackend, OrderingFilter]
    filterset_class = HostFilter
    ordering_fields = ["selected_at", "last_name", "postal_code"]
    ordering = ["-selected_at", "-id"]
    pagination_class = CountedCursorPagination
    queryset = Host.objects.select_related("user")


def _host_with_history(pk: int) -> Host:
    return get_object_or_404(
        Host.objects.select_related("user").prefetch_related(
            Prefetch("history", queryset=HostStatusChange.objects.select_related("by"))
        ),
        pk=pk,
    )


class HostDetailApi(APIView):
    permission_classes = [IsMarketing]

    @extend_schema(responses={200: s.HostDetailSerializer})
    def get(self, request: Request, pk: int) -> Response:
        """One host in full (contact and postal address for the kit, dates of selection and activation) with
        their status history. Marketing (or admin) only."""
        return Response(s.HostDetailSerializer(_host_with_history(pk)).data)


class HostTransitionApi(APIView):
    """Move a host along invited → active → paused | alumni | banned."""

    permission_classes = [IsMarketing]

    @extend_schema(
        request=s.HostTransitionInputSerializer, responses={200: s.HostDetailSerializer, **CONFLICT}
    )
    def post(self, request: Request, pk: int) -> Response:
        host = get_object_or_404(Host, pk=pk)
        data = s.HostTransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.transition_host(
            host=host,
            to_status=data.validated_data["status"],
            by=staff_user(request),
            reason=data.validated_data["reason"],
        )
        return Response(s.HostDetailSerializer(_host_with_history(pk)).data)


class MyHostListApi(generics.ListAPIView):
    """The signed-in person's own host participations (one per campaign)."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.MyHostSerializer
    filter_backends = [FilterBackend, OrderingFilter]
    filterset_class = HostFilter
    ordering_fields = ["selected_at", "last_name", "postal_code"]
    ordering = ["-selected_at", "-id"]
    pagination_class = CountedCursorPagination

    def get_queryset(self) -> QuerySet[Host]:
        return Host.objects.for_user(self.request.user).select_related("campaign")


class MyHostDetailApi(generics.RetrieveAPIView):
    """One of the signed-in person's own host participations; another person's answers 404. Any signed-in user
    (a host reading their own row)."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.MyHostSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Host]:
        return Host.objects.for_user(self.request.user).select_related("campaign")
