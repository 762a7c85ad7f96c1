"""The models of recruitment and parties, one module per concept; `from ambassadors.models import X`
reaches every one of them (the migrations and the other apps import them from here)."""

from ambassadors.models.applications import (
    APPLICATION_TRANSITIONS,
    Application,
    ApplicationQuerySet,
    ApplicationStatus,
    ApplicationStatusChange,
    SocialNetwork,
)
from ambassadors.models.campaigns import (
    CAMPAIGN_TRANSITIONS,
    Campaign,
    CampaignQuerySet,
    CampaignStatus,
    CampaignStatusChange,
    KitReturnPolicy,
)
from ambassadors.models.host_tokens import HostApiToken
from ambassadors.models.hosts import (
    EARNING_HOST_STATUSES,
    HOST_TRANSITIONS,
    Host,
    HostQuerySet,
    HostStatus,
    HostStatusChange,
)
from ambassadors.models.parties import (
    GUEST_LIST_OPEN_STATUSES,
    PARTY_TRANSITIONS,
    Guest,
    GuestSource,
    Party,
    PartyPhoto,
    PartyQuerySet,
    PartyStatus,
    PartyStatusChange,
)

__all__ = [
    "HostApiToken",
    "APPLICATION_TRANSITIONS",
    "CAMPAIGN_TRANSITIONS",
    "EARNING_HOST_STATUSES",
    "GUEST_LIST_OPEN_STATUSES",
    "HOST_TRANSITIONS",
    "PARTY_TRANSITIONS",
    "Application",
    "ApplicationQuerySet",
    "ApplicationStatus",
    "ApplicationStatusChange",
    "Campaign",
    "CampaignQuerySet",
    "CampaignStatus",
    "CampaignStatusChange",
    "Guest",
    "GuestSource",
    "Host",
    "HostQuerySet",
    "HostStatus",
    "HostStatusChange",
    "KitReturnPolicy",
    "Party",
    "PartyPhoto",
    "PartyQuerySet",
    "PartyStatus",
    "PartyStatusChange",
    "SocialNetwork",
]
