"""The demo's feedback: hosts with their kit in hand and guests of their parties rate the pieces, and
the brand answers twice (one SKU, and a campaign-wide "you said, we did")."""

import random
from collections.abc import Sequence

from ambassadors.models import Campaign, Guest, Host
from backend.models import User
from feedback.answers.services import post_brand_answer
from feedback.models import BrandAnswer, PieceFeedback
from feedback.ratings.services import (
    RATABLE_KIT_STATUSES,
    Rating,
    kit_lines_for_party_guests,
    ratable_lines,
    rate_piece_as_guest,
    rate_piece_as_host,
)
from kits.models import Item, Shipment

COMMENTS = [
    "Très belle matière, elle tombe parfaitement.",
    "Les manches sont un peu longues pour moi.",
    "La couleur est encore plus jolie en vrai.",
    "Un peu juste aux épaules, je prendrais la taille au-dessus.",
    "Mes amies l'ont toutes essayée !",
    "",
    "Chaude et légère à la fois.",
    "",
]
FITS = ["right", "right", "right", "too_small", "too_big"]
COLOURS = ["love", "love", "fine", "dislike"]


def _rating(rng: random.Random) -> Rating:
    return Rating(
        fit=rng.choice(FITS),
        colour=rng.choice(COLOURS),
        quality=rng.choice([3, 4, 4, 5, 5]),
        would_buy=rng.random() < 0.7,
        comment=rng.choice(COMMENTS),
        consent=True,
    )


def seed_feedback(*, campaign: Campaign, hosts: Sequence[Host], by: User | None) -> dict[str, int]:
    """Idempotent: once the brand has answered in the campaign, nothing more is added."""
    if BrandAnswer.objects.filter(campaign=campaign).exists():
        return {
            "opinions": PieceFeedback.objects.filter(campaign=campaign).count(),
            "answers": BrandAnswer.objects.filter(campaign=campaign).count(),
        }
    rng = random.Random(19)
    shipments = Shipment.objects.filter(host__in=hosts, status__in=RATABLE_KIT_STATUSES).select_related(
        "host"
    )
    for shipment in shipments:
        lines = list(ratable_lines(Shipment.objects.filter(pk=shipment.pk)))
        for line in lines[:6]:
            rate_piece_as_host(line=line, by=shipment.host.user, rating=_rating(rng))
        guests = Guest.objects.filter(party__host=shipment.host, party__campaign=campaign).select_related(
            "party"
        )
        for guest in list(guests)[:4]:
            for line in list(kit_lines_for_party_guests(guest))[:3]:
                rate_piece_as_guest(line=line, guest=guest, rating=_rating(rng))
    rated = PieceFeedback.objects.filter(campaign=campaign).values_list("item_id", flat=True)
    most_rated = Item.objects.filter(pk__in=rated).order_by("sku").first()
    if most_rated is not None:
        post_brand_answer(
            campaign=campaign,
            item=most_rated,
            text_fr="Merci ! Vous étiez nombreuses à trouver les manches longues : elles raccourcissent de 2 cm "
            "dès la prochaine production.",
            text_en="Thank you! Many of you found the sleeves long: they are 2 cm shorter from the next run.",
            by=by,
        )
        post_brand_answer(
            campaign=campaign,
            item=None,
            text_fr="Vous l'avez demandé : le manteau existera en camel la saison prochaine.",
            text_en="You asked for it: the coat comes in camel next season.",
            by=by,
        )
    return {
        "opinions": PieceFeedback.objects.filter(campaign=campaign).count(),
        "answers": BrandAnswer.objects.filter(campaign=campaign).count(),
    }
