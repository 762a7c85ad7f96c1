"""Feedback in a real browser on a 360 px phone, in French and in English: the host rates a piece of her
kit with a photo, a guest opens her e-mailed link and rates a piece she tried."""

import io

import pytest
from django.test import Client
from PIL import Image
from playwright.sync_api import Page, expect

from feedback.models import PieceFeedback
from feedback.ratings.guests import guest_link_token
from tests.feedback.conftest import build_programme

NARROW = {"width": 360, "height": 740}
NO_SIDE_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"

WORDS = {
    "en": {
        "fit": "Fit", "right": "Just right", "colour": "Colour", "love": "I love it",
        "quality": "Quality (1 to 5)", "would_buy": "I would buy it", "comment": "Comment",
        "photo": "A photo of you wearing it", "consent": "I agree that the brand reads my opinion",
        "save": "Save my opinion", "saved": "Thank you! Your opinion is saved.",
        "title": "My opinions on the collection", "pieces": "The pieces you tried",
    },
    "fr": {
        "fit": "Taille", "right": "Bien ajusté", "colour": "Couleur", "love": "J’adore",
        "quality": "Qualité (de 1 à 5)", "would_buy": "Je l’achèterais", "comment": "Commentaire",
        "photo": "Une photo de vous la portant", "consent": "J’accepte que la marque lise mon avis",
        "save": "Enregistrer mon avis", "saved": "Merci ! Votre avis est enregistré.",
        "title": "Mes avis sur la collection", "pieces": "Les pièces essayées",
    },
}  # fmt: skip


def in_language(page: Page, live_server, language: str, user=None) -> None:
    cookies = [{"name": "django_language", "value": language, "url": live_server.url}]
    if user is not None:
        client = Client()
        client.force_login(user)
        cookies.append(
            {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}
        )
    page.context.add_cookies(cookies)
    page.set_viewport_size(NARROW)


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (180, 120, 60)).save(buffer, format="JPEG")
    return buffer.getvalue()


def rate(page: Page, piece, words: dict[str, str], *, comment: str, photo: bool) -> None:
    piece.get_by_label(words["fit"]).select_option(label=words["right"])
    piece.get_by_label(words["colour"]).select_option(label=words["love"])
    piece.get_by_label(words["quality"]).select_option("5")
    piece.get_by_label(words["would_buy"]).check()
    piece.get_by_role("textbox", name=words["comment"]).fill(comment)
    if photo:
        piece.get_by_label(words["photo"]).set_input_files(
            {"name": "me.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}
        )
    piece.get_by_label(words["consent"]).check()
    piece.get_by_role("button", name=words["save"]).click()


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.django_db(transaction=True)
def test_a_host_rates_a_piece_of_her_kit_on_a_phone(page: Page, live_server, screenshot, language):
    programme = build_programme()
    words = WORDS[language]
    in_language(page, live_server, language, programme["host"].user)

    page.goto(f"{live_server.url}/portal/feedback/")
    expect(page.get_by_role("heading", name=words["title"])).to_be_visible()
    assert page.evaluate(NO_SIDE_SCROLL)
    screenshot(page, f"feedback-01-host-form-{language}")
    rate(page, page.locator(f"#piece-{programme['line'].pk}"), words, comment="Chaud et léger.", photo=True)

    expect(page.get_by_text(words["saved"])).to_be_visible()
    assert page.evaluate(NO_SIDE_SCROLL)
    screenshot(page, f"feedback-02-host-saved-{language}")
    feedback = PieceFeedback.objects.get()
    assert (feedback.quality, feedback.would_buy, feedback.comment) == (5, True, "Chaud et léger.")
    assert feedback.photo and feedback.guest is None


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.django_db(transaction=True)
def test_a_guest_rates_a_piece_she_tried_from_her_link_on_a_phone(
    page: Page, live_server, screenshot, language
):
    programme = build_programme()
    words, guest = WORDS[language], programme["guest"]
    in_language(page, live_server, language)

    page.goto(f"{live_server.url}/p/{guest.party.public_token}/pieces/link/{guest_link_token(guest)}/")
    expect(page.get_by_role("heading", name=words["pieces"])).to_be_visible()
    assert page.evaluate(NO_SIDE_SCROLL)
    screenshot(page, f"feedback-03-guest-form-{language}")
    rate(
        page, page.locator(f"#piece-{programme['dress_line'].pk}"), words, comment="Jolie robe.", photo=False
    )

    expect(page.get_by_text(words["saved"])).to_be_visible()
    assert page.evaluate(NO_SIDE_SCROLL)
    feedback = PieceFeedback.objects.get()
    assert (feedback.guest, feedback.item, feedback.comment) == (guest, programme["dress"], "Jolie robe.")
