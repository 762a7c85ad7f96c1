"""Recruitment API: campaigns and selection for marketing, and the public application form."""

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import generics, serializers, status
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ambassadors.models import (
    Application,
    ApplicationStatusChange,
    Campaign,
    CampaignStatus,
    HostStatus,
)
from ambassadors.recruitment import branding, selection, services
from ambassadors.recruitment import serializers as s
from ambassadors.recruitment.filters import ApplicationFilter
from backend.client_address import client_ip
from backend.errors import Invalid
from backend.filters import FilterBackend
from backend.openapi import CONFLICT, document_rule_codes
from backend.pagination import CountedCursorPagination
from backend.parsers import JSONParser
from backend.permissions import IsMarketing, staff_user
from backend.throttles import AnonRateThrottle, ScopedRateThrottle


def campaigns_with_slots() -> QuerySet[Campaign]:
    return Campaign.objects.annotate(hosts_taken=Count("hosts", filter=~Q(hosts__status=HostStatus.BANNED)))


# --- campaigns (marketing) ---------------------------------------------------------------------


@extend_validation_errors(
    ["required", "invalid_country", "duplicate_country"], field_name="eligible_countries", methods=["post"]
)
class CampaignListApi(generics.ListAPIView):
    """The campaigns, newest application window first, each with its free host slots; `?status=` keeps one
    status. Marketing (or admin) only."""

    permission_classes = [IsMarketing]
    serializer_class = s.CampaignSerializer
    filter_backends = [OrderingFilter]
    ordering_fields = ["applications_open_at", "name", "created_at"]
    ordering = ["-applications_open_at", "id"]
    pagination_class = CountedCursorPagination

    def get_queryset(self) -> QuerySet[Campaign]:
        queryset = campaigns_with_slots()
        wanted_status = self.request.query_params.get("status")
        if wanted_status in CampaignStatus.values:
            queryset = queryset.filter(status=wanted_status)
        return queryset

    @extend_schema(request=s.CampaignInputSerializer, responses={201: s.CampaignDetailSerializer})
    def post(self, request: Request) -> Response:
        """Create a campaign as a draft, with its windows, host slots, attribution window, guest discount and
        kit return policy; it opens to applicants only once moved to `recruiting`. Marketing (or admin)
        only."""
        data = s.CampaignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = services.create_campaign(by=staff_user(request), **data.validated_data)
        return Response(s.CampaignDetailSerializer(campaign).data, status=status.HTTP_201_CREATED)


@extend_validation_errors(
    ["required", "invalid_country", "duplicate_country"], field_name="eligible_countries", methods=["patch"]
)
@extend_validation_errors(["slug_frozen"], field_name="slug", methods=["patch"])
@extend_validation_errors(["below_selected_hosts"], field_name="host_slots", methods=["patch"])
class CampaignDetailApi(APIView):
    permission_classes = [IsMarketing]

    def _campaign(self, pk: int) -> Campaign:
        return get_object_or_404(campaigns_with_slots(), pk=pk)

    @extend_schema(responses={200: s.CampaignDetailSerializer})
    def get(self, request: Request, pk: int) -> Response:
        """One campaign with its free host slots and status history. Marketing (or admin) only."""
        return Response(s.CampaignDetailSerializer(self._campaign(pk)).data)

    @extend_schema(request=s.CampaignInputSerializer, responses={200: s.CampaignDetailSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        """Change some of a campaign's settings; only the fields sent change. The slug is frozen once the
        campaign left draft (links carry it) and the host slots never drop below the hosts already
        selected. Marketing (or admin) only."""
        campaign = self._campaign(pk)
        data = s.CampaignInputSerializer(campaign, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        updated = services.update_campaign(campaign=campaign, by=staff_user(request), **data.validated_data)
        return Response(s.CampaignDetailSerializer(updated).data)

    @extend_schema(responses={204: None, **CONFLICT})
    def delete(self, request: Request, pk: int) -> Response:
        """Delete a campaign that is still a draft nobody applied to; any other answers 409
        (`campaign_not_deletable`): it is history. Marketing (or admin) only."""
        services.delete_campaign(campaign=self._campaign(pk), by=staff_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


_IMAGE_RULES = ["invalid_image", "invalid_image_type", "photo_too_large"]


@document_rule_codes(
    {
        "brand_primary_colour": ["invalid_colour"],
        "brand_accent_colour": ["invalid_colour"],
        "brand_logo": _IMAGE_RULES,
        "brand_cover_image": _IMAGE_RULES,
    },
    methods=["patch"],
)
class CampaignBrandingApi(APIView):
    """The campaign's branding: brand name, two colours, logo and cover image (multipart for images)."""

    permission_classes = [IsMarketing]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(responses={200: s.CampaignBrandingSerializer})
    def get(self, request: Request, pk: int) -> Response:
        campaign = get_object_or_404(Campaign, pk=pk)
        return Response(s.CampaignBrandingSerializer(campaign, context={"request": request}).data)

    @extend_schema(request=s.CampaignBrandingInputSerializer, responses={200: s.CampaignBrandingSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        campaign = get_object_or_404(Campaign, pk=pk)
        data = s.CampaignBrandingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        updated = branding.set_campaign_branding(campaign=campaign, **data.validated_data)
        return Response(s.CampaignBrandingSerializer(updated, context={"request": request}).data)


class CampaignTransitionApi(APIView):
    """Move a campaign along draft → recruiting → selecting → running → closed."""

    permission_classes = [IsMarketing]

    @extend_schema(
        request=s.CampaignTransitionInputSerializer, responses={200: s.CampaignDetailSerializer, **CONFLICT}
    )
    def post(self, request: Request, pk: int) -> Response:
        campaign = get_object_or_404(Campaign, pk=pk)
        data = s.CampaignTransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.transition_campaign(
            campaign=campaign,
            to_status=data.validated_data["status"],
            by=staff_user(request),
            reason=data.validated_data["reason"],
        )
        return Response(s.CampaignDetailSerializer(campaigns_with_slots().get(pk=pk)).data)


class CampaignSelectBestApi(APIView):
    """Select the best N applications by score, spread over postal-code prefixes (never beyond free slots)."""

    permission_classes = [IsMarketing]

    @extend_schema(
        request=s.SelectBestInputSerializer, responses={200: s.SelectBestResultSerializer, **CONFLICT}
    )
    def post(self, request: Request, pk: int) -> Response:
        campaign = get_object_or_404(Campaign, pk=pk)
        data = s.SelectBestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hosts = selection.select_best_applications(
            campaign=campaign,
            count=data.validated_data["count"],
            by=staff_user(request),
            include_flagged=data.validated_data["include_flagged"],
        )
        return Response(
            s.SelectBestResultSerializer({"requested": data.validated_data["count"], "selected": hosts}).data
        )


# --- public ------------------------------------------------------------------------------------


def _public_campaign(slug: str) -> Campaign:
    """Any published campaign (not a draft): a closed one still answers, so the form can say why."""
    return get_object_or_404(Campaign.objects.exclude(status=CampaignStatus.DRAFT), slug=slug)


class PublicCampaignApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(responses={200: s.PublicCampaignSerializer}, auth=[])
    def get(self, request: Request, slug: str) -> Response:
        """What a campaign's public application page shows: name, description, collection, windows and
        eligible countries, and whether it takes applications now. Anyone, no sign-in; only a campaign that
        is recruiting answers (404 otherwise)."""
        campaign = get_object_or_404(Campaign, slug=slug, status=CampaignStatus.RECRUITING)
        return Response(s.PublicCampaignSerializer(campaign).data)


@extend_validation_errors(["invalid_phone"], field_name="phone")
@extend_validation_errors(["invalid_email", "invisible_character"], field_name="email")
@extend_validation_errors(["invisible_character"], field_name="first_name")
@extend_validation_errors(["invisible_character"], field_name="last_name")
@extend_validation_errors(["invisible_character"], field_name="address_line1")
@extend_validation_errors(["invisible_character"], field_name="address_line2")
@extend_validation_errors(["invisible_character"], field_name="city")
@extend_validation_errors(["country_not_eligible"], field_name="country")
@extend_validation_errors(["terms_required"], field_name="accept_terms")
@extend_validation_errors(["out_of_range"], field_name="expected_guests")
@extend_validation_errors(["out_of_range"], field_name="follower_count")
@extend_validation_errors(["invalid_url"], field_name="social_profile_url")
@extend_validation_errors(["rejected"], field_name="non_field_errors")
class PublicApplicationCreateApi(APIView):
    """Apply to host. One application per e-mail per campaign; throttled per IP."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "applications"

    @extend_schema(
        request=s.ApplicationInputSerializer,
        responses={201: s.ApplicationReceiptSerializer, **CONFLICT},
        auth=[],
    )
    def post(self, request: Request, slug: str) -> Response:
        campaign = _public_campaign(slug)
        data = s.ApplicationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        if fields["website"]:
            raise Invalid("The form could not be accepted.", code="rejected")
        social = None
        if fields["social_network"]:
            # The plain form's identity is self-declared; verified ones come from a social sign-in.
            social = services.SocialIdentity(
                network=fields["social_network"],
                uid="",
                handle=fields["social_handle"],
                profile_url=fields["social_profile_url"],
                follower_count=fields["follower_count"],
                verified=False,
            )
        application = services.submit_application(
            campaign=campaign,
            first_name=fields["first_name"],
            last_name=fields["last_name"],
            email=fields["email"],
            phone=fields["phone"],
            address_line1=fields["address_line1"],
            address_line2=fields["address_line2"],
            postal_code=fields["postal_code"],
            city=fields["city"],
            country=fields["country"],
            motivation=fields["motivation"],
            expected_guests=fields["expected_guests"],
            preferred_party_period=fields["preferred_party_period"],
            accept_terms=fields["accept_terms"],
            marketing_consent=fields["marketing_consent"],
            photo_consent=fields["photo_consent"],
            social=social,
            utm=data.utm(),
            ip_address=client_ip(request),
            language=getattr(request, "LANGUAGE_CODE", "en"),
        )
        return Response(s.ApplicationReceiptSerializer(application).data, status=status.HTTP_201_CREATED)


# --- applications (marketing) ------------------------------------------------------------------


class ApplicationListApi(generics.ListAPIView):
    """Applications to review: filter by campaign, status, country, postal prefix, followers, verified, score."""

    permission_classes = [IsMarketing]
    serializer_class = s.ApplicationSerializer
    filter_backends = [FilterBackend, OrderingFilter]
    filterset_class = ApplicationFilter
    ordering_fields = ["score", "follower_count", "created_at", "expected_guests", "postal_code"]
    ordering = ["-score", "id"]
    pagination_class = CountedCursorPagination
    queryset = Application.objects.all()


class ApplicationDetailApi(APIView):
    permission_classes = [IsMarketing]

    @extend_schema(responses={200: s.ApplicationDetailSerializer})
    def get(self, request: Request, pk: int) -> Response:
        """One application in full, as marketing reviews it: contact, address, social account, consents, UTM
        tags, the score with its explanation, risk flags, the host it became (if selected) and its status
        history. Marketing (or admin) only."""
        application = get_object_or_404(
            Application.objects.select_related("host").prefetch_related(
                Prefetch("history", queryset=ApplicationStatusChange.objects.select_related("by"))
            ),
            pk=pk,
        )
        return Response(s.ApplicationDetailSerializer(application).data)


class _ApplicationActionApi(APIView):
    permission_classes = [IsMarketing]
    input_serializer: type[serializers.Serializer] = s.ApplicationActionInputSerializer
    action = ""

    def post(self, request: Request, pk: int) -> Response:
        application = get_object_or_404(Application, pk=pk)
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        selection.APPLICATION_ACTIONS[self.action](
            application=application, by=staff_user(request), reason=data.validated_data["reason"]
        )
        return Response(s.ApplicationDetailSerializer(Application.objects.get(pk=pk)).data)


_ACTION_SCHEMA: dict[str, Any] = {"responses": {200: s.ApplicationDetailSerializer, **CONFLICT}}


class ApplicationShortlistApi(_ApplicationActionApi):
    """Shortlist an application: a likely pick, kept for selection; nothing is sent to the applicant. The
    optional reason is kept in the status history. Marketing (or admin) only."""

    action = "shortlist"

    @extend_schema(request=s.ApplicationActionInputSerializer, **_ACTION_SCHEMA)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class ApplicationWaitlistApi(_ApplicationActionApi):
    """Put an application on the waiting list: not selected now, kept in case a slot frees up; the
    optional reason is kept in the status history. Marketing (or admin) only."""

    action = "waitlist"

    @extend_schema(request=s.ApplicationActionInputSerializer, **_ACTION_SCHEMA)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class ApplicationRejectApi(_ApplicationActionApi):
    """Reject; the reason is e-mailed to the applicant."""

    action = "reject"
    input_serializer = s.RejectInputSerializer

    @extend_schema(request=s.RejectInputSerializer, **_ACTION_SCHEMA)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class ApplicationSelectApi(_ApplicationActionApi):
    """Select: the applicant becomes a host (invited), never beyond the campaign's free slots."""

    action = "select"

    @extend_schema(request=s.ApplicationActionInputSerializer, **_ACTION_SCHEMA)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


@extend_validation_errors(["required"], field_name="reason")
class ApplicationBulkActionApi(APIView):
    """One action on many applications; each id gets its own result."""

    permission_classes = [IsMarketing]

    @extend_schema(request=s.BulkActionInputSerializer, responses={200: s.BulkResultsSerializer})
    def post(self, request: Request) -> Response:
        data = s.BulkActionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        results = selection.apply_bulk_application_action(
            application_ids=data.validated_data["ids"],
            action=data.validated_data["action"],
            by=staff_user(request),
            reason=data.validated_data["reason"],
        )
        return Response(s.BulkResultsSerializer({"results": results}).data)
