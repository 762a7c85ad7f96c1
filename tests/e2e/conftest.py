"""Browser tests: Playwright drives the system Chromium against `live_server`, at phone size."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Screenshots for a person to look at (ignored by git).
SCREENSHOTS = Path(__file__).resolve().parents[2] / ".test-screenshots"
PHONE = {"width": 390, "height": 844}


def _is_browser_test(item) -> bool:
    return "tests/e2e/" in str(item.fspath).replace(os.sep, "/")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Browser tests are marked, skipped without Chromium, and run last of all.

    Last, because Playwright's sync API keeps an event loop running in the main thread until the
    session ends, and Django refuses ORM calls under a running loop unless
    DJANGO_ALLOW_ASYNC_UNSAFE is set: set only from the first browser test on, it never reaches
    the other tests (nor `check --deploy` run by one of them).
    """
    for item in items:
        if _is_browser_test(item):
            item.add_marker(pytest.mark.browser)
            if CHROMIUM is None:
                item.add_marker(
                    pytest.mark.skip(reason="Chromium is not installed (Debian package chromium)")
                )
    items.sort(key=_is_browser_test)  # stable: keeps pytest-django's order inside each group


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwrights_event_loop():
    # Playwright's sync API runs an event loop in the test thread; Django's ORM calls there are safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": PHONE,
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "locale": "en-GB",
    }


@pytest.fixture
def screenshot():
    """`screenshot(page, "name")` saves a full-page PNG under .test-screenshots/."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(autouse=True)
def _short_timeouts(request):
    """A page that is not there should fail fast, not after Playwright's 30 s default."""
    if "page" in request.fixturenames:
        request.getfixturevalue("page").set_default_timeout(10_000)
