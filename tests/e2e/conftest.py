"""A real app server on a demo store, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from db.engine import get_engine
from mne.store import init_store
from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answering(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
            return bool(response.read().strip() == b"ok")
    except OSError:
        return False


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard served by `streamlit run` on a fresh SQLite store with demo data and no
    account (the demo mode)."""
    store = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'store.db'}"
    init_store(get_engine(store), with_demo=True)
    yield from _serve(store)


PASSWORD = "a long test password"
# The accounts of the signed-in tests: user name -> (role, cities).
ACCOUNTS = {
    "admin.e2e": ("admin", ()),
    "focal.e2e": ("focal_point", ("VNHAN", "VNSGN", "VNDAD", "VNHUI")),
    "analyst.e2e": ("analyst", ()),
    "viewer.e2e": ("viewer", ()),
}


@pytest.fixture(scope="session")
def accounts_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store with demo data and one account per role (ACCOUNTS, all with PASSWORD)."""
    from mne.access import operator
    from mne.accounts import create_user

    store = f"sqlite:///{tmp_path_factory.mktemp('e2e-accounts') / 'store.db'}"
    engine = get_engine(store)
    init_store(engine, with_demo=True)
    for name, (role, cities) in ACCOUNTS.items():
        create_user(engine, operator(), name, PASSWORD, role, name.title(), cities)
    return store


def newest_batch(store: str, file_name: str) -> int:
    """The newest batch stored from `file_name` (tests sharing a store each pick their own)."""
    from mne.intake.batches import batches_frame

    batches = batches_frame(get_engine(store))
    return int(batches.loc[batches["file_name"] == file_name, "id"].max())


def choose(page: object, label: str, text: str) -> None:
    """Pick the option of the select box labelled `label` that `text` finds."""
    box = page.locator("[data-testid='stSelectbox']").filter(has_text=label)  # type: ignore[attr-defined]
    box.click()
    page.keyboard.type(text)  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def accounts_app_url(accounts_store: str) -> Iterator[str]:
    """The dashboard on `accounts_store`: every page asks for sign-in."""
    yield from _serve(accounts_store)


def _serve(store: str) -> Iterator[str]:
    """One app server started as a deployment starts it: scripts/serve.sh PORT."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": store,
        "MNE_ADDRESS": "127.0.0.1",
        "MNE_PYTHON": sys.executable,
        # One secret for every server, as deploy/mne.env.example sets it: Streamlit signs its
        # upload-protection cookie with it, so another server accepts this one's browsers.
        "MNE_COOKIE_SECRET": "the same secret on every test server",
    }
    server = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "serve.sh"), str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"http://localhost:{port}"
    deadline = time.time() + 90
    while not _answering(url):
        if time.time() > deadline or server.poll() is not None:
            server.kill()
            pytest.fail("the app did not start")
        time.sleep(0.3)
    yield url
    server.terminate()
    server.wait(timeout=20)


@dataclass
class Browser:
    """A Chromium page that records console errors, failed requests and HTTP errors."""

    page: object
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)

    def record_response(self, status: int, url: str) -> None:
        if status >= 400:
            self.http_errors.append(url)

    def unexpected_errors(self) -> list[str]:
        """Failed requests, HTTP errors and console errors: none is expected, not even
        Streamlit's base-path probes of a deep link (mne.web's base script answers them)."""
        # A download ends its request early: Chromium reports it as failed, which it is not.
        failed = [u for u in self.failed_requests if u not in self.downloads]
        return failed + self.http_errors + self.console_errors

    def open(self, url: str) -> None:
        """Go to `url`; wait for the page to be drawn, or for the sign-in form it sent to."""
        self.page.goto(url)  # type: ignore[attr-defined]
        if self.on_sign_in_form():  # plain HTML: drawn once its icon has loaded too
            self.page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
            return
        self.ready()

    def on_sign_in_form(self) -> bool:
        return str(self.page.url).split("?")[0].endswith("/signin")  # type: ignore[attr-defined]

    def ready(self) -> None:
        """Wait until the script has run and nothing is left to draw."""
        page = self.page
        page.wait_for_timeout(300)  # type: ignore[attr-defined]
        page.wait_for_selector(  # type: ignore[attr-defined]
            "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000
        )
        # A selector, not a JavaScript predicate: the app's policy forbids eval, Playwright's too.
        page.wait_for_selector(  # type: ignore[attr-defined]
            "[data-testid='stSkeleton']", state="detached", timeout=60_000
        )

    def sign_in(self, username: str, password: str, lang: str = "en") -> None:
        """Fill the sign-in form (the page a signed-out browser is sent to) and wait for the
        page it brings the browser back to."""
        from mne.i18n import Translator

        tr, page = Translator(lang), self.page
        page.get_by_label(tr("User name"), exact=True).fill(username)  # type: ignore[attr-defined]
        page.get_by_label(tr("Password"), exact=True).fill(password)  # type: ignore[attr-defined]
        page.get_by_role("button", name=tr("Sign in")).click()  # type: ignore[attr-defined]
        page.get_by_role("button", name=tr("Sign out")).wait_for(timeout=90_000)  # type: ignore[attr-defined]
        self.ready()

    def sign_out(self) -> None:
        """Sign out, then follow the page's "Sign in" link to the form."""
        page = self.page
        page.get_by_role("button", name="Sign out").click()  # type: ignore[attr-defined]
        page.get_by_role("link", name="Sign in").click(timeout=30_000)  # type: ignore[attr-defined]
        page.get_by_label("User name", exact=True).wait_for(timeout=30_000)  # type: ignore[attr-defined]


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = chromium.new_context(
            viewport={"width": 1400, "height": 1000}, accept_downloads=True
        )
        page = context.new_page()
        session = Browser(page)
        page.on("console", lambda m: m.type == "error" and session.console_errors.append(m.text))
        page.on("requestfailed", lambda r: session.failed_requests.append(r.url))
        page.on("response", lambda r: session.record_response(r.status, r.url))
        page.on("download", lambda d: session.downloads.append(d.url))
        yield session
        chromium.close()
