"""The e-mail announcing a milestone, built when the e-mail task runs (`backend.mail`)."""

from django.urls import reverse

from ambassadors.recruitment.branding import brand_of
from backend.mail import Email, email_builder
from recognition.models import Milestone


@email_builder
def milestone_email(milestone_id: int) -> Email | None:
    """Congratulations, in the language she chose last (her account's); none once the milestone or her
    account is gone."""
    milestone = (
        Milestone.objects.select_related("host__user", "host__campaign")
        .filter(pk=milestone_id, host__user__is_active=True)
        .first()
    )
    if milestone is None:
        return None
    host = milestone.host
    return Email(
        to=host.user.email,
        template="milestone_reached",
        context={
            "first_name": host.first_name,
            "campaign_name": host.campaign.name_in(host.user.language),
            "kind": milestone.kind,
            "dashboard_path": reverse("portal:dashboard"),
        },
        language=host.user.language,
        brand=brand_of(host.campaign, absolute_urls=True),
    )
