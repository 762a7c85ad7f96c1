"""Personal files (party photos, queued packing slips) live in private storage and reach only who may
see them (SPEC §15): asked for through their routes by strangers, other hosts and the wrong staff,
and looked for under /media/ the way the demo used to serve them."""

import importlib.util
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from ambassadors.models import PartyPhoto
from ambassadors.parties import services as parties
from kits.catalogue.services import set_kit_template
from kits.models import SlipBatch
from kits.shipments.services import allocate_kit
from kits.slips.services import request_slip_batch, run_slip_batch
from kits.stock.services import receive_stock
from tests import factories
from tests.parties.conftest import image_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(db) -> PartyPhoto:
    party = factories.PartyFactory(starts_at=timezone.now() - timedelta(hours=4))
    parties.mark_party_held(party=party, by=party.host.user, actual_guests=3, photos=[image_upload()])
    return party.photos.get()


@pytest.fixture
def batch(db) -> SlipBatch:
    """A finished batch of one kit's slip: the host's name, home address and phone."""
    campaign = factories.CampaignFactory()
    item = factories.ItemFactory()
    set_kit_template(campaign=campaign, lines=[(item, 1)], by=None)
    receive_stock(item=item, quantity=1, by=None, reason="initial")
    shipment = allocate_kit(host=factories.HostFactory(application__campaign=campaign), by=None)
    queued = request_slip_batch(shipment_ids=[shipment.pk], by=None)
    return run_slip_batch(batch_id=queued.pk)


def api_as(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def session_as(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def stored_bytes(file) -> bytes:
    with file.open("rb") as stored:
        return stored.read()


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def photo_url(photo: PartyPhoto) -> str:
    return f"/api/v1/parties/{photo.party_id}/photos/{photo.pk}/"


def batch_urls(batch: SlipBatch) -> list[str]:
    return [f"/api/v1/kits/packing-slips/{batch.pk}/file/", f"/staff/kits/print/batches/{batch.pk}/download/"]


def test_a_party_photo_reaches_its_host_and_marketing_only(photo, marketing_user, logistics_user):
    other_host = factories.HostFactory().user
    url = photo_url(photo)

    # strangers, another host and staff who do not read parties get nothing
    assert api_as().get(url).status_code in (401, 403)
    assert session_as().get(url).status_code in (401, 403)
    assert api_as(other_host).get(url).status_code == 404
    assert session_as(other_host).get(url).status_code == 404
    assert api_as(logistics_user).get(url).status_code == 404

    # the party's host (session, as the portal page's <img>) and marketing (token) get the bytes
    for response in (session_as(photo.party.host.user).get(url), api_as(marketing_user).get(url)):
        assert response.status_code == 200, response
        assert response["Content-Type"] == photo.content_type
        assert response["Cache-Control"] == "private, no-store"
        assert body(response) == stored_bytes(photo.image)


def test_the_party_api_links_the_photo_route_and_the_file_has_no_public_url(photo, marketing_user):
    detail = api_as(marketing_user).get(f"/api/v1/parties/{photo.party_id}/").json()
    assert [p["url"] for p in detail["photos"]] == [f"http://testserver{photo_url(photo)}"]
    with pytest.raises(ValueError, match="not accessible via a URL"):
        photo.image.url  # noqa: B018 - the property is the test


def test_a_slip_batch_reaches_logistics_only(batch, marketing_user, logistics_user):
    host = factories.HostFactory().user
    api_url, page_url = batch_urls(batch)

    assert api_as().get(api_url).status_code in (401, 403)
    assert session_as().get(page_url).status_code == 302  # to the sign-in page
    for outsider in (host, marketing_user):
        assert api_as(outsider).get(api_url).status_code == 403
        assert session_as(outsider).get(page_url).status_code == 403

    for response in (api_as(logistics_user).get(api_url), session_as(logistics_user).get(page_url)):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert body(response) == stored_bytes(batch.file)


def _urls_as_in_debug():
    """The project's URL configuration as it is built with DEBUG on (the demo's)."""
    spec = importlib.util.find_spec("backend.urls")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_media_urls_serve_no_personal_file_even_with_debug_on(photo, batch, settings):
    # given the demo's settings
    settings.DEBUG = True
    settings.ROOT_URLCONF = _urls_as_in_debug()
    client = session_as()

    for name in (photo.image.name, batch.file.name):
        # then /media/ does not serve it, and the file is in private storage, outside the media folder
        assert client.get(f"/{settings.MEDIA_URL.lstrip('/')}{name}").status_code == 404
        assert (Path(settings.PRIVATE_MEDIA_ROOT) / name).is_file()
        assert not default_storage.exists(name)


@pytest.mark.parametrize(
    ("mode", "header"), [("x-accel-redirect", "X-Accel-Redirect"), ("x-sendfile", "X-Sendfile")]
)
def test_behind_a_proxy_the_view_checks_and_the_proxy_sends_the_file(
    mode, header, photo, batch, logistics_user, settings
):
    # given the proxy sends private files
    settings.PRIVATE_MEDIA_SENDFILE = mode
    settings.PRIVATE_MEDIA_INTERNAL_URL = "/internal/private/"
    expected = {
        "x-accel-redirect": lambda file: f"/internal/private/{file.name}",
        "x-sendfile": lambda file: str(Path(settings.PRIVATE_MEDIA_ROOT).resolve() / file.name),
    }[mode]

    # when the owner and logistics ask
    shown = session_as(photo.party.host.user).get(photo_url(photo))
    printed = api_as(logistics_user).get(batch_urls(batch)[0])

    # then each answer is empty, names the file for the proxy, and keeps its type and privacy
    for response, file, content_type in (
        (shown, photo.image, photo.content_type),
        (printed, batch.file, "application/pdf"),
    ):
        assert response.status_code == 200
        assert response.content == b""
        assert response[header] == expected(file)
        assert response["Content-Type"] == content_type
        assert response["Cache-Control"] == "private, no-store"
    # and the check still runs first
    assert session_as(factories.HostFactory().user).get(photo_url(photo)).status_code == 404
    assert not session_as(factories.HostFactory().user).get(photo_url(photo)).has_header(header)


def test_files_left_in_the_media_folder_by_older_versions_move_to_private_storage(photo, batch, settings):
    # given both files where the code before private storage wrote them
    old = {}
    for file in (photo.image, batch.file):
        old[file.name] = stored_bytes(file)
        file.storage.delete(file.name)
        default_storage.save(file.name, ContentFile(old[file.name]))

    # when the operator runs the command twice
    call_command("move_private_files")
    call_command("move_private_files")

    # then each file is in private storage, unchanged, and gone from the media folder
    photo.refresh_from_db()
    batch.refresh_from_db()
    for file in (photo.image, batch.file):
        assert not default_storage.exists(file.name)
        assert stored_bytes(file) == old[file.name]


def test_start_up_refuses_a_private_folder_inside_a_served_one(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "1",
        "MEDIA_ROOT": str(tmp_path),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "PRIVATE_MEDIA_ROOT must lie outside every served folder" in result.stderr


def test_an_id_no_photo_can_have_is_a_clean_404(photo):
    client = session_as(photo.party.host.user)
    huge = 2**80
    assert client.get(f"/api/v1/parties/{huge}/photos/{photo.pk}/").status_code == 404
    assert client.get(f"/api/v1/parties/{photo.party_id}/photos/{huge}/").status_code == 404
