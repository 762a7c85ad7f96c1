"""Erasing a person removes her opinions and her photos; the other people's stay."""

import pytest

from feedback.models import PieceFeedback
from privacy.erasure import erase_personal_data
from tests.feedback.conftest import guest_client, host_client, jpeg, posted

pytestmark = pytest.mark.django_db


def test_erasing_a_host_removes_her_opinions_and_photo_files(
    programme, marketing_user, django_capture_on_commit_callbacks
):
    line, other_line, guest = programme["line"], programme["other_line"], programme["guest"]
    host_client(programme["host"]).post(
        f"/portal/feedback/{line.pk}/", {**posted(line), f"line-{line.pk}-photo": jpeg()}
    )
    host_client(programme["other"]).post(f"/portal/feedback/{other_line.pk}/", posted(other_line))
    guest_client(guest).post(f"/p/{guest.party.public_token}/pieces/{line.pk}/", posted(line))
    photo = PieceFeedback.objects.get(host=programme["host"], guest=None).photo
    storage, name = photo.storage, photo.name
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        summary = erase_personal_data(email=programme["host"].user.email, by=marketing_user, reason="asked")

    assert summary.piece_feedback == 1
    assert not storage.exists(name)
    remaining = PieceFeedback.objects.all()
    assert {(row.host_id, row.guest_id) for row in remaining} == {
        (programme["other"].pk, None),
        (programme["host"].pk, guest.pk),  # her guest's opinion is the guest's, not hers
    }


def test_erasing_a_guest_removes_her_opinions(programme, marketing_user):
    line, guest = programme["line"], programme["guest"]
    guest_client(guest).post(f"/p/{guest.party.public_token}/pieces/{line.pk}/", posted(line))

    summary = erase_personal_data(email=guest.email, by=marketing_user, reason="asked")

    assert summary.piece_feedback == 1
    assert not PieceFeedback.objects.exists()


def test_a_persons_export_holds_her_opinions(programme, marketing_user):
    from privacy.export import export_personal_data

    line, guest = programme["line"], programme["guest"]
    host_client(programme["host"]).post(f"/portal/feedback/{line.pk}/", posted(line, comment="Chaud"))
    guest_client(guest).post(f"/p/{guest.party.public_token}/pieces/{line.pk}/", posted(line, comment="Joli"))

    as_host = export_personal_data(email=programme["host"].user.email, by=marketing_user)["opinions"]
    as_guest = export_personal_data(email=guest.email, by=marketing_user)["opinions"]

    assert [(row["as"], row["sku"], row["comment"]) for row in as_host] == [
        ("host", "AW26-COAT-CAMEL-M", "Chaud")
    ]
    assert [(row["as"], row["comment"]) for row in as_guest] == [("guest", "Joli")]
