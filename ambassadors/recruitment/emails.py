"""E-mails to applicants and new hosts, built from the database when the e-mail task runs
(`backend.mail`): the task holds an id, and the sign-in link is minted only as the e-mail leaves."""

from django.conf import settings

from ambassadors.hosts.signin import signin_url_for
from ambassadors.hosts.social import configured_providers
from ambassadors.models import Application, ApplicationStatus, Host
from ambassadors.recruitment.branding import brand_of
from backend.mail import Email, email_builder


@email_builder
def application_received_email(application_id: int) -> Email | None:
    application = Application.objects.select_related("campaign").filter(pk=application_id).first()
    if application is None:
        return None
    return Email(
        to=application.email,
        template="application_received",
        context={
            "first_name": application.first_name,
            "campaign_name": application.campaign.name_in(application.language),
        },
        language=application.language,
        brand=brand_of(application.campaign, absolute_urls=True),
    )


@email_builder
def application_rejected_email(application_id: int) -> Email | None:
    """The rejection with the reason recorded on it (its latest move to rejected)."""
    application = Application.objects.select_related("campaign").filter(pk=application_id).first()
    rejection = (
        application.history.filter(to_status=ApplicationStatus.REJECTED).order_by("-at", "-id").first()
        if application is not None
        else None
    )
    if application is None or rejection is None:
        return None
    return Email(
        to=application.email,
        template="application_rejected",
        context={
            "first_name": application.first_name,
            "campaign_name": application.campaign.name_in(application.language),
            "reason": rejection.reason,
        },
        language=application.language,
        brand=brand_of(application.campaign, absolute_urls=True),
    )


@email_builder
def host_invitation_email(host_id: int) -> Email | None:
    """The invitation with a one-time sign-in link made now (an active account only)."""
    host = (
        Host.objects.select_related("user", "campaign", "application")
        .filter(pk=host_id, user__is_active=True)
        .first()
    )
    if host is None:
        return None
    return Email(
        to=host.user.email,
        template="host_invitation",
        context={
            "first_name": host.first_name,
            "campaign_name": host.campaign.name_in(host.application.language),
            "signin_url": signin_url_for(host.user),
            "link_valid_days": max(settings.SIGNIN_LINK_MAX_AGE_SECONDS // 86400, 1),
            # Promised only when she applied through a network the brand has set up for sign-in.
            "social_sign_in": bool(
                host.application.social_verified and host.application.social_network in configured_providers()
            ),
        },
        language=host.application.language,
        brand=brand_of(host.campaign, absolute_urls=True),
    )
