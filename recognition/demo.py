"""The demo's recognition (`seed_demo`): the milestones the demo programme's facts reach, a personal
note with a small gift to the demo host, a note to every host who held her first party, and the
campaign's public list of top hosts turned on, with the demo host and two others consenting."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ambassadors.models import Campaign, Host
from recognition.leaderboard.services import set_leaderboard_consent, set_public_leaderboard
from recognition.milestones.services import record_milestones
from recognition.models import BrandNote, Milestone, MilestoneKind
from recognition.notes.services import write_brand_note, write_milestone_notes

DEMO_GIFT = Decimal("10.00")


def seed_recognition(*, campaign: Campaign, hosts: Sequence[Host], by: Any) -> dict[str, int]:
    record_milestones()
    if hosts and not BrandNote.objects.filter(host__campaign=campaign).exists():
        write_brand_note(
            host=hosts[0],
            body="Votre soirée à la maison a fait le tour de l'équipe : merci d'avoir si bien porté la "
            "collection. Un petit cadeau pour votre prochaine commande.",
            gift_amount=DEMO_GIFT,
            by=by,
        )
        if Milestone.objects.filter(host__campaign=campaign, kind=MilestoneKind.FIRST_PARTY_HELD).exists():
            write_milestone_notes(
                campaign=campaign,
                milestone=MilestoneKind.FIRST_PARTY_HELD,
                body="Votre première soirée est derrière vous : bravo, et merci de faire découvrir la "
                "collection à vos amies.",
                by=by,
            )
    set_public_leaderboard(campaign=campaign, on=True)
    for host in hosts[:3]:
        set_leaderboard_consent(host=host, consents=True)
    return {
        "milestones": Milestone.objects.filter(host__campaign=campaign).count(),
        "brand_notes": BrandNote.objects.filter(host__campaign=campaign).count(),
    }
