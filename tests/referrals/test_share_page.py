import pytest
import zxingcpp
from PIL import Image

from referrals.codes.services import issue_host_code, issue_party_code
from tests.factories import HostFactory, PartyFactory

pytestmark = pytest.mark.django_db


def test_share_page_shows_the_hosts_code_link_and_party_codes(client):
    host = HostFactory()
    code = issue_host_code(host=host)
    party_code = issue_party_code(party=PartyFactory(host=host))
    other = issue_host_code(host=HostFactory())
    client.force_login(host.user)

    html = client.get("/portal/share/").content.decode()

    assert code.code in html and f"http://testserver/r/{code.code}" in html
    assert party_code.code in html
    assert other.code not in html


def test_share_qr_png_decodes_to_the_referral_link(client):
    import io

    host = HostFactory()
    code = issue_host_code(host=host)
    client.force_login(host.user)
    response = client.get(f"/portal/share/qr/{code.code}.png")
    assert response["Content-Type"] == "image/png"
    [result] = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.content)))
    assert result.text == f"http://testserver/r/{code.code}"


def test_share_qr_svg_is_served_and_downloadable(client):
    host = HostFactory()
    code = issue_host_code(host=host)
    client.force_login(host.user)
    response = client.get(f"/portal/share/qr/{code.code}.svg?download=1")
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<?xml") or b"<svg" in response.content[:200]
    assert f'filename="{code.code}.svg"' in response["Content-Disposition"]


def test_another_hosts_qr_code_is_a_404(client):
    host = HostFactory()
    other = issue_host_code(host=HostFactory())
    client.force_login(host.user)
    assert client.get(f"/portal/share/qr/{other.code}.png").status_code == 404


def test_share_page_needs_sign_in(client):
    response = client.get("/portal/share/")
    assert response.status_code == 302 and "/signin/" in response["Location"]


def test_share_page_query_count_does_not_grow_with_parties(client, django_assert_max_num_queries):
    host = HostFactory()
    issue_host_code(host=host)
    issue_party_code(party=PartyFactory(host=host))
    client.force_login(host.user)
    with django_assert_max_num_queries(8) as few:
        client.get("/portal/share/")
    for _ in range(5):
        issue_party_code(party=PartyFactory(host=host))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/portal/share/")


def test_share_page_lists_only_codes_that_credit_someone_today(client):
    from datetime import timedelta

    from django.utils import timezone

    host = HostFactory()
    live_host_code = issue_host_code(host=host)
    planned = issue_party_code(party=PartyFactory(host=host, title="Apéro tricot"))
    cancelled = issue_party_code(party=PartyFactory(host=host, status="cancelled", title="Annulée"))
    long_ago = timezone.now() - timedelta(days=200)
    closed = issue_party_code(
        party=PartyFactory(
            host=host, status="closed", title="Clôturée", starts_at=long_ago, attribution_ends_at=long_ago
        )
    )
    client.force_login(host.user)

    html = client.get("/portal/share/").content.decode()

    assert live_host_code.code in html and planned.code in html
    for dead in (cancelled, closed):
        assert dead.code not in html, dead.party.status


def test_share_buttons_wait_for_javascript_and_a_ready_message_is_there_without_it(client):
    host = HostFactory()
    code = issue_host_code(host=host)
    client.force_login(host.user)
    client.cookies["django_language"] = "fr"

    html = client.get("/portal/share/").content.decode()

    # the buttons come hidden (the script shows each where the phone can do it) …
    assert '<button type="button" class="share-button"' in html and "hidden>Partager</button>" in html
    assert "hidden>Copier le message</button>" in html
    # … and the caption, link included, can be selected by hand
    assert 'class="share-caption" rows="3" readonly>J’organise des soirées' in html
    assert f"http://testserver/r/{code.code}</textarea>" in html
