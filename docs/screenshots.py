"""Take the README's screenshots: the main pages at 360 px, in French, from the demo data.

    make screenshots        (or: .venv/bin/python docs/screenshots.py)

Builds a throw-away SQLite database with `seed_demo`, serves it with `runserver` on a free port,
and has Chromium (through Playwright) sign in as the demo host and save each page under
docs/screenshots/ as a palette PNG (small enough to live in git). Never edit the PNGs by hand:
run this again after a change to the pages.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
PYTHON = sys.executable
WIDTH, HEIGHT = 360, 740
CAMPAIGN_SLUG = "automne-hiver-2026"
# The pieces link a demo guest who rated the kit gets by e-mail (she has no account).
GUEST_LINK = (
    "from feedback.models import PieceFeedback\n"
    "from feedback.ratings.guests import guest_link_url\n"
    "print(guest_link_url(PieceFeedback.objects.filter(guest__isnull=False).order_by('id').first().guest))"
)
HOST = ("host@soiree.localhost", "soiree-host-demo")
# Taller pages are cut here: the README shows what a phone shows in a scroll or two.
MAX_HEIGHT = 1600


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (our own local server)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the demo server did not answer at {url}")


def save(page: Page, name: str, *, whole_page: bool = True) -> None:
    """A shot at 1 CSS pixel per pixel (the whole page, cut at MAX_HEIGHT, or one phone screen),
    stored with a 128-colour palette."""
    path = OUT / f"{name}.png"
    page.wait_for_load_state("networkidle")
    page.evaluate("window.scrollTo(0, 0)")
    # The whole page in one viewport, so that the bottom tab bar sits at the bottom of the picture.
    height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT) if whole_page else HEIGHT
    page.set_viewport_size({"width": WIDTH, "height": height})
    page.screenshot(path=str(path), animations="disabled")
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    with Image.open(path) as image:
        image = image.convert("RGB")
        if image.height > MAX_HEIGHT:
            image = image.crop((0, 0, image.width, MAX_HEIGHT))
        image.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            path, optimize=True
        )
    print(f"  {path.relative_to(ROOT)}")


def shoot(base: str, guest_link: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.png"):
        old.unlink()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or shutil.which("chromium-browser"),
            args=["--no-sandbox", "--disable-gpu", "--font-render-hinting=none"],
        )
        context = browser.new_context(
            viewport={"width": WIDTH, "height": HEIGHT},
            device_scale_factor=1,
            is_mobile=True,
            has_touch=True,
            locale="fr-FR",
        )
        context.add_cookies([{"name": "django_language", "value": "fr", "url": base}])
        page = context.new_page()

        page.goto(f"{base}/c/{CAMPAIGN_SLUG}/")
        save(page, "01-campaign")
        page.goto(f"{base}/signin/")
        save(page, "02-signin")
        page.get_by_label("E-mail").fill(HOST[0])
        page.get_by_label("Mot de passe").fill(HOST[1])
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(f"{base}/portal/")
        save(page, "03-dashboard")
        page.goto(f"{base}/portal/parties/")
        save(page, "04-parties")
        party = page.locator("article.party-planned h2 a").first.get_attribute("href")
        page.goto(base + str(party))
        save(page, "05-party")
        page.goto(f"{base}{party}qr/")
        public_url = page.locator(".public-url a").get_attribute("href")
        page.goto(f"{base}/portal/kit/")
        page.locator("details:has(table) > summary").first.click()  # what is in the kit
        save(page, "06-kit")
        page.goto(f"{base}/portal/share/")
        save(page, "07-share")
        page.goto(f"{base}/portal/earnings/")
        save(page, "08-earnings")
        page.goto(f"{base}/portal/")
        page.locator(".account-menu > summary").click()
        save(page, "09-menu", whole_page=False)
        page.goto(f"{base}/portal/feedback/")
        save(page, "11-opinions")
        page.goto(f"{base}/portal/notes/")
        save(page, "12-notes")
        guest = browser.new_context(
            viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=1, is_mobile=True, locale="fr-FR"
        )
        guest.add_cookies([{"name": "django_language", "value": "fr", "url": base}])
        guest_page = guest.new_page()
        guest_page.goto(base + urlsplit(str(public_url)).path)
        save(guest_page, "10-guest-registration")
        guest_page.goto(f"{base}/c/{CAMPAIGN_SLUG}/wall/")
        save(guest_page, "13-wall")
        guest_page.goto(f"{base}/c/{CAMPAIGN_SLUG}/hosts/")
        save(guest_page, "14-top-hosts")
        guest_page.goto(base + urlsplit(guest_link).path)  # a guest's own link, from her e-mail
        save(guest_page, "15-guest-pieces")
        browser.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "DEBUG": "1",
            "TASKS_BACKEND": "immediate",
            "EMAIL_URL": "locmem://",
            "DATABASE_URL": f"sqlite:///{folder}/demo.sqlite3",
            "MEDIA_ROOT": f"{folder}/media",
            "PRIVATE_MEDIA_ROOT": f"{folder}/private-media",
        }
        env.pop("REDIS_URL", None)
        quiet = {"env": env, "cwd": ROOT, "stdout": subprocess.DEVNULL}
        print("Building the demo data…")
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput"], check=True, **quiet)  # noqa: S603
        subprocess.run([PYTHON, "manage.py", "seed_demo"], check=True, **quiet)  # noqa: S603
        guest_link = subprocess.run(  # noqa: S603
            [PYTHON, "manage.py", "shell", "-c", GUEST_LINK],
            check=True, env=env, cwd=ROOT, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]  # fmt: skip
        port = free_port()
        server = subprocess.Popen(  # noqa: S603
            [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            stderr=subprocess.DEVNULL,
            **quiet,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(f"{base}/healthz")
            print("Taking the screenshots…")
            shoot(base, guest_link)
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
