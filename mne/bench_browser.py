"""`python -m mne bench browser [--rows N]`: every page of the dashboard opened in Chromium
(Playwright) against a real app server, from navigation to fully drawn, cold and warm, next to
the same run's floor, an empty page of the same app.

The bench store is `bench dashboard`'s (1,000 bench cities x 50 indicators x 20 years at 1M
observations, plus the demo tasks and projects) with two accounts: an administrator, who may
open every page of mne.navigation's registry, and a viewer. `scripts/serve.sh PORT` serves it,
as a deployment starts it; each account signs in once through the HTML form (POST /signin,
the app's real Argon2id check, not timed) and every browser context gets its session cookie.

A page is fully drawn when its script has finished (`[data-testid=stApp]` in the
`notRunning` state, which a fresh load reaches only after a run: before the first run the
state is `initial`), no `[data-testid=stSkeleton]` is left, and every Plotly chart
(`.stPlotlyChart`) holds its `.js-plotly-plot .main-svg`. Selector waits only: the app's
Content-Security-Policy forbids eval, so Playwright's JavaScript predicates cannot run.

- cold: the first open of the page in a fresh browser context (nothing in the browser's
  cache) right after the store changed (a write: every cached read of every page misses). One
  unmeasured pass over every page first has the server import the pages' modules (pandas,
  plotly), so a cold figure is the page's own work, not Python's imports.
- warm: the median of WARM_OPENINGS reopenings in the same context (browser cache filled,
  the server's caches filled).
- floor: the viewer opening the Accounts page, which the viewer's role may not open: the
  app's whole frame (the Streamlit client, its WebSocket, app.py's session check, sidebar,
  menu and demo banner) with only a title and one warning as the page. Every page pays that
  frame; what a page costs beyond it is its own. (The sign-in form is plain HTML outside
  Streamlit, so it measures neither the client nor a script run: it is printed, not used.)

Prints a table (page, cold s, warm s, warm / floor), then one JSON line; exit 1 (figures'
`all_pass` false) when a page's warm time is over WITHIN times the floor's, or a page failed.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from db.engine import dispose_engines, get_engine, writing
from mne.bench import _add_demo_tasks_and_projects, _import, _prepare_store, _shape_for, _write_csv
from mne.bench_load import _serve
from mne.navigation import PAGES

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 1000}
PASSWORD = "a bench password, long enough"
ADMIN, VIEWER = "bench.browser.admin", "bench.browser.viewer"
FLOOR_PATH = "users"  # the Accounts page: "Not available" for a viewer
WARM_OPENINGS = 3
WITHIN = 3.0
PAGE_TIMEOUT_MS = 300_000


def _accounts(url: str) -> None:
    """The administrator and the viewer, hashed with the app's own Argon2id parameters."""
    from mne.access import create_user, operator

    engine = get_engine(url)
    create_user(engine, operator("bench"), ADMIN, PASSWORD, "admin", "Bench admin")
    create_user(engine, operator("bench"), VIEWER, PASSWORD, "viewer", "Bench viewer")
    dispose_engines()


def _change_store(url: str) -> None:
    """A write (an audit row), so the store version moves on and every cached read misses."""
    from mne import audit
    from mne.access import operator

    engine = get_engine(url)
    with writing(engine) as conn:
        audit.record(conn, None, operator("bench").username, "bench.browser", "store")
    dispose_engines()


class Drawn:
    """Opens pages in Chromium and times them until fully drawn."""

    def __init__(self, base: str, browser: Any) -> None:
        self.base = base
        self.browser = browser
        self.cookies: dict[str, list[Any]] = {}

    def sign_in(self, name: str) -> float:
        """Sign `name` in once through the HTML form; keep its session cookie."""
        context = self.browser.new_context(viewport=VIEWPORT)
        start = time.perf_counter()
        answer = context.request.post(
            self.base + "/signin",
            form={"username": name, "password": PASSWORD, "next": "/", "lang": "en"},
            headers={"Origin": self.base},
            max_redirects=0,
        )
        seconds = time.perf_counter() - start
        if answer.status != 303:
            raise RuntimeError(f"signing {name} in answered HTTP {answer.status}")
        self.cookies[name] = context.cookies()
        context.close()
        return seconds

    def context(self, name: str) -> Any:
        context = self.browser.new_context(viewport=VIEWPORT)
        context.add_cookies(self.cookies[name])
        return context

    def open(self, page: Any, path: str) -> tuple[float, int]:
        """Seconds from navigation to fully drawn, and the number of charts drawn."""
        start = time.perf_counter()
        page.goto(f"{self.base}/{path}?lang=en", wait_until="commit")
        page.wait_for_selector(
            "[data-testid='stApp'][data-test-script-state='notRunning']",
            timeout=PAGE_TIMEOUT_MS,
        )
        page.wait_for_selector("[data-testid='stSkeleton']", state="detached", timeout=60_000)
        charts = page.locator(".stPlotlyChart")
        count = charts.count()
        for n in range(count):
            charts.nth(n).locator(".js-plotly-plot .main-svg").first.wait_for(
                state="attached", timeout=60_000
            )
        seconds = time.perf_counter() - start
        if "/signin" in page.url:
            raise RuntimeError(f"/{path} sent the browser to sign in")
        return seconds, count

    def errors(self, page: Any) -> list[str]:
        """The app's failure message or a Streamlit exception, if the page shows one."""
        shown = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']")
        return [text[:200] for text in shown.all_inner_texts()]

    def measure(self, name: str, path: str) -> dict[str, Any]:
        """Cold in a fresh context, then the median of WARM_OPENINGS reopenings."""
        context = self.context(name)
        page = context.new_page()
        cold, charts = self.open(page, path)
        warm = [self.open(page, path)[0] for _ in range(WARM_OPENINGS)]
        errors = self.errors(page)
        context.close()
        return {
            "path": "/" + path,
            "cold_seconds": round(cold, 3),
            "warm_seconds": round(statistics.median(warm), 3),
            "warm_all_seconds": [round(w, 3) for w in warm],
            "charts": charts,
            "errors": errors,
        }

    def signin_form(self) -> float:
        """The plain-HTML sign-in form, to the load event (printed, not the floor)."""
        context = self.browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.goto(self.base + "/signin?lang=en")
        times = []
        for _ in range(WARM_OPENINGS):
            start = time.perf_counter()
            page.goto(self.base + "/signin?lang=en", wait_until="load")
            times.append(time.perf_counter() - start)
        context.close()
        return round(statistics.median(times), 3)


def bench_browser(rows: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError("Debian's chromium is not installed (apt-get install chromium)")
    cities, indicators, years = _shape_for(rows)
    with tempfile.TemporaryDirectory(prefix="mne-bench-browser-") as folder:
        work = Path(folder)
        url = f"sqlite:///{work / 'bench.db'}"
        csv_path = work / "values.csv"
        n = _write_csv(csv_path, cities, indicators, years)
        _prepare_store(url, cities, indicators)
        _import(url, csv_path, dry_run=False)
        _add_demo_tasks_and_projects(url)
        _accounts(url)
        load_before = [round(x, 2) for x in os.getloadavg()]
        server, base = _serve(url, work / "server.log")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                drawn = Drawn(base, browser)
                sign_in_seconds = [drawn.sign_in(ADMIN), drawn.sign_in(VIEWER)]
                # Right after the server started: the floor page is its first run.
                floor = drawn.measure(VIEWER, FLOOR_PATH)
                # Unmeasured: the server imports every page's modules once.
                warm_up = drawn.context(ADMIN)
                tab = warm_up.new_page()
                for spec in PAGES:
                    drawn.open(tab, spec.url_path)
                warm_up.close()
                pages = []
                for spec in PAGES:
                    _change_store(url)
                    measured = drawn.measure(ADMIN, spec.url_path)
                    pages.append({"page": spec.file.removesuffix(".py"), **measured})
                signin_form = drawn.signin_form()
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    load_after = [round(x, 2) for x in os.getloadavg()]
    for page in pages:
        page["warm_vs_floor"] = round(page["warm_seconds"] / floor["warm_seconds"], 2)
        page["cold_vs_floor"] = round(page["cold_seconds"] / floor["warm_seconds"], 2)
        page["pass"] = page["warm_vs_floor"] <= WITHIN and not page["errors"]
    figures: dict[str, Any] = {
        "benchmark": "browser",
        "backend": "sqlite",
        "observations": n,
        "cities": cities,
        "indicators": indicators,
        "years": years,
        "warm_openings": WARM_OPENINGS,
        "within": WITHIN,
        "floor": f"/{FLOOR_PATH} as a viewer (the app's frame, a title and a warning)",
        "floor_cold_seconds": floor["cold_seconds"],
        "floor_warm_seconds": floor["warm_seconds"],
        "floor_errors": floor["errors"],
        "signin_form_seconds": signin_form,
        "sign_in_post_seconds": [round(s, 3) for s in sign_in_seconds],
        "load_average_before": load_before,
        "load_average_after": load_after,
        "pages": pages,
        "failing": [p["page"] for p in pages if not p["pass"]],
    }
    figures["all_pass"] = not figures["failing"]
    _print(figures)
    print(json.dumps(figures))
    return figures


def _print(figures: dict[str, Any]) -> None:
    print(
        f"browser benchmark: {figures['observations']:,} observations ({figures['cities']} "
        f"cities x {figures['indicators']} indicators x {figures['years']} years), Chromium, "
        f"one app server on 127.0.0.1; load average {figures['load_average_before']} before, "
        f"{figures['load_average_after']} after"
    )
    print(
        f"floor: {figures['floor']}: cold {figures['floor_cold_seconds']:.3f} s (the server's "
        f"first run), warm {figures['floor_warm_seconds']:.3f} s; the sign-in form (plain HTML, "
        f"not the floor) {figures['signin_form_seconds']:.3f} s"
    )
    print(
        f"{'page':<14}{'path':<14}{'charts':>7}{'cold s':>9}{'warm s':>9}"
        f"{'warm / floor':>14}  result"
    )
    for p in figures["pages"]:
        result = "PASS" if p["pass"] else "FAIL"
        if p["errors"]:
            result += "  error: " + p["errors"][0].replace("\n", " ")[:80]
        print(
            f"{p['page']:<14}{p['path']:<14}{p['charts']:>7}{p['cold_seconds']:>9.2f}"
            f"{p['warm_seconds']:>9.2f}{p['warm_vs_floor']:>14.2f}  {result}"
        )
    verdict = "every page" if figures["all_pass"] else "not every page"
    print(f"{verdict} warm within {figures['within']:g}x the floor")
