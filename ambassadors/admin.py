"""Recruitment in the admin: every status change goes through the services (with history)."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest
from modeltranslation.admin import TranslationAdmin

from ambassadors.hosts.services import transition_host
from ambassadors.models import (
    Application,
    ApplicationStatusChange,
    Campaign,
    CampaignStatus,
    CampaignStatusChange,
    Host,
    HostStatus,
    HostStatusChange,
)
from ambassadors.parties.checks import check_photo
from ambassadors.recruitment import branding, selection, services
from backend.errors import DomainError
from backend.models import User


def staff_user(request: HttpRequest) -> User:
    """The signed-in staff member (the admin only lets those in)."""
    user = request.user
    assert isinstance(user, User), "the admin requires a signed-in staff member"
    return user


def _run_for_each(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet, action: Callable[[Any], object]
) -> None:
    """Apply a service to each chosen row; report successes and each refusal with its reason."""
    done = 0
    for obj in queryset:
        try:
            action(obj)
            done += 1
        except DomainError as error:
            modeladmin.message_user(request, f"{obj}: {error.message}", messages.WARNING)
    if done:
        modeladmin.message_user(request, f"{done} updated.", messages.SUCCESS)


class _ReadOnlyHistoryInline(admin.TabularInline):
    extra = 0
    can_delete = False
    fields = ("at", "by", "from_status", "to_status", "reason")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- campaigns ---------------------------------------------------------------------------------


class CampaignAdminForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "name",
            "slug",
            "description",
            "collection_name",
            "shop_url",
            "terms_url",
            "privacy_url",
            "applications_open_at",
            "applications_close_at",
            "host_slots",
            "eligible_countries",
            "party_window_start",
            "party_window_end",
            "attribution_window_days",
            "guest_discount_percent",
            "currency",
            "kit_return_due_on",
            "kit_return_policy",
            *branding.BRAND_FIELDS,
        ]

    def _checked_image(self, name: str) -> Any:
        """A new upload must pass the same check as through the API (stored by `set_campaign_branding`)."""
        value = self.cleaned_data.get(name)
        if isinstance(value, UploadedFile):
            try:
                check_photo(value, field=name)
            except DomainError as error:
                raise forms.ValidationError(error.message, code=error.code) from None
        return value

    def clean_brand_logo(self) -> Any:
        return self._checked_image("brand_logo")

    def clean_brand_cover_image(self) -> Any:
        return self._checked_image("brand_cover_image")

    def clean_eligible_countries(self) -> list[str]:
        try:
            return services.validate_eligible_countries(self.cleaned_data["eligible_countries"])
        except DomainError as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk:
            changes = {name: cleaned[name] for name in self.changed_data if name in cleaned}
            current = Campaign.objects.get(pk=self.instance.pk)
            try:
                services.check_campaign_changes(campaign=current, changes=changes)
            except DomainError as error:
                raise forms.ValidationError(
                    {error.field: error.message} if error.field else error.message
                ) from None
        return cleaned


class CampaignStatusChangeInline(_ReadOnlyHistoryInline):
    model = CampaignStatusChange


def _campaign_move(to_status: str) -> Callable:
    def move(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        _run_for_each(
            modeladmin,
            request,
            queryset,
            lambda campaign: services.transition_campaign(
                campaign=campaign, to_status=to_status, by=staff_user(request)
            ),
        )

    move.__name__ = f"move_to_{to_status}"
    return admin.action(description=f"Move to “{CampaignStatus(to_status).label}”")(move)


@admin.register(Campaign)
class CampaignAdmin(TranslationAdmin):  # each text in French and English
    form = CampaignAdminForm
    list_display = ["name", "slug", "status", "applications_open_at", "applications_close_at", "host_slots"]
    list_filter = ["status"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["status", "created_at", "updated_at"]
    inlines = [CampaignStatusChangeInline]
    actions = [_campaign_move(status) for status in CampaignStatus.values]

    def save_model(self, request: HttpRequest, obj: Campaign, form: forms.ModelForm, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        # The branding goes through its own service (images checked, re-encoded, renamed); a cleared
        # image comes as False.
        brand = {
            name: None if value is False else value
            for name, value in fields.items()
            if name in branding.BRAND_FIELDS
        }
        if change:
            campaign = services.update_campaign(
                campaign=obj, by=staff_user(request), **{k: v for k, v in fields.items() if k not in brand}
            )
        else:
            values = {
                name: value
                for name, value in form.cleaned_data.items()
                if name != "status" and name not in branding.BRAND_FIELDS
            }
            campaign = services.create_campaign(by=staff_user(request), **values)
            obj.pk = campaign.pk
            obj._state.adding = False
        if brand:
            branding.set_campaign_branding(campaign=campaign, **brand)

    def has_delete_permission(self, request: HttpRequest, obj: Campaign | None = None) -> bool:
        return obj is None or (obj.status == CampaignStatus.DRAFT and not obj.applications.exists())


# --- applications ------------------------------------------------------------------------------


class ApplicationStatusChangeInline(_ReadOnlyHistoryInline):
    model = ApplicationStatusChange


def _application_action(name: str, service: Callable, description: str) -> Callable:
    def act(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        _run_for_each(
            modeladmin, request, queryset, lambda app: service(application=app, by=staff_user(request))
        )

    act.__name__ = name
    return admin.action(description=description)(act)


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Applications arrive from the public form; staff review them (reject with a reason in the API)."""

    list_display = [
        "__str__",
        "status",
        "score",
        "follower_count",
        "social_verified",
        "postal_code",
        "country",
        "risk_flags",
        "created_at",
    ]
    list_filter = ["status", "campaign", "social_verified", "social_network", "country"]
    search_fields = ["first_name", "last_name", "email", "postal_code", "social_handle"]
    list_select_related = ["campaign"]
    ordering = ["-score", "id"]
    inlines = [ApplicationStatusChangeInline]
    actions = [
        _application_action("shortlist", services.shortlist_application, "Shortlist"),
        _application_action("waitlist", services.waitlist_application, "Waitlist"),
        _application_action("select", selection.select_application, "Select as hosts (invites them)"),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Application | None = None) -> list[str]:
        return [field.name for field in Application._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Application | None = None) -> bool:
        return False


# --- hosts -------------------------------------------------------------------------------------


class HostStatusChangeInline(_ReadOnlyHistoryInline):
    model = HostStatusChange


def _host_move(to_status: str) -> Callable:
    def move(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        _run_for_each(
            modeladmin,
            request,
            queryset,
            lambda host: transition_host(host=host, to_status=to_status, by=staff_user(request)),
        )

    move.__name__ = f"move_to_{to_status}"
    return admin.action(description=f"Mark as “{HostStatus(to_status).label}”")(move)


@admin.register(Host)
class HostAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "postal_code", "city", "selected_at", "activated_at"]
    list_filter = ["status", "campaign"]
    search_fields = ["first_name", "last_name", "user__email", "postal_code"]
    list_select_related = ["campaign"]
    inlines = [HostStatusChangeInline]
    actions = [
        _host_move(status)
        for status in (HostStatus.ACTIVE, HostStatus.PAUSED, HostStatus.ALUMNI, HostStatus.BANNED)
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Host | None = None) -> list[str]:
        return ["user", "campaign", "application", "status", "selected_at", "activated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # hosts come from selection

    def has_delete_permission(self, request: HttpRequest, obj: Host | None = None) -> bool:
        return False
