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
from mne.bench import _add_demo_tasks_and_projects, _shape_for, filled_store
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
PAGE_TIMEOUT_MS = 180_000


def _accounts(url: str) -> None:
    """The administrator and the viewer, hashed with the app's own Argon2id parameters."""
    from mne.access import operator
    from mne.accounts import create_user

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
        self.floor_times: list[tuple[float, int, dict[str, float]]] = []
        self.received_bytes = 0
        self.frames: list[tuple[str, float]] = []  # the WebSocket's frames of this open

    def watch(self, page: Any) -> None:
        """Record when each WebSocket frame went out and came in (Streamlit's protocol)."""

        def socket(ws: Any) -> None:
            ws.on("framesent", lambda _: self.frames.append(("sent", time.perf_counter())))
            ws.on("framereceived", received)

        def received(payload: bytes | str) -> None:
            self.frames.append(("got", time.perf_counter()))
            self.received_bytes += len(payload)

        page.on("websocket", socket)

    def split(self, start: float, end: float) -> dict[str, float]:
        """Where an open's time went: loading the client up to its first WebSocket frame
        (the rerun request), the script run on the server until its last frame came in (the
        run's deltas and its end), and drawing after that."""
        sent = [t for kind, t in self.frames if kind == "sent" and start <= t <= end]
        got = [t for kind, t in self.frames if kind == "got" and start <= t <= end]
        if not sent or not got:
            return {"client_load": 0.0, "server_run": 0.0, "draw": 0.0}
        first, last = sent[0], max(got)
        return {
            "client_load": round(first - start, 3),
            "server_run": round(last - first, 3),
            "draw": round(end - last, 3),
        }

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

    def open(self, page: Any, path: str) -> tuple[float, int, dict[str, float]]:
        """Seconds from navigation to fully drawn, the number of charts drawn, and where the
        time went (`split`)."""
        self.frames.clear()
        self.received_bytes = 0
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
        end = time.perf_counter()
        if "/signin" in page.url:
            raise RuntimeError(f"/{path} sent the browser to sign in")
        split = self.split(start, end)
        split["received_kb"] = round(self.received_bytes / 1024, 1)
        return end - start, count, split

    def errors(self, page: Any) -> list[str]:
        """The app's failure message or a Streamlit exception, if the page shows one."""
        shown = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']")
        return [text[:200] for text in shown.all_inner_texts()]

    def tab(self, name: str) -> tuple[Any, Any]:
        """A fresh browser context signed in as `name`, and its page."""
        context = self.context(name)
        page = context.new_page()
        self.watch(page)
        return context, page

    def measure(self, name: str, path: str, floor: Any = None) -> dict[str, Any]:
        """Cold in a fresh context, then the median of WARM_OPENINGS reopenings; between
        reopenings, one opening of the floor in its own tab (`floor`, its timings kept in
        self.floor_times), so the floor is measured all through the run, under the same load.
        A page not drawn within PAGE_TIMEOUT_MS is an error of that page, not of the run."""
        from playwright.sync_api import TimeoutError as NotDrawn

        context, page = self.tab(name)
        warm: list[tuple[float, int, dict[str, float]]] = []
        try:
            cold, charts, cold_split = self.open(page, path)
            for _ in range(WARM_OPENINGS):
                warm.append(self.open(page, path))
                if floor is not None:
                    self.floor_times.append(self.open(floor, FLOOR_PATH))
            errors = self.errors(page)
        except NotDrawn as error:
            app = page.locator("[data-testid='stApp']")
            state = (
                app.get_attribute("data-test-script-state", timeout=5_000) if app.count() else None
            )
            connection = (
                app.get_attribute("data-test-connection-state", timeout=5_000)
                if app.count()
                else None
            )
            reason = str(error).splitlines()[0]
            errors = [
                f"not drawn: {reason} (script state {state}, connection {connection}, "
                f"after {len(warm)} warm openings)"
            ]
            context.close()
            return {
                "path": "/" + path,
                "cold_seconds": 0.0,
                "warm_seconds": 0.0,
                "warm_all_seconds": [],
                "cold_split": {},
                "warm_split": {},
                "charts": 0,
                "errors": errors,
            }
        context.close()
        middle = sorted(warm, key=lambda w: w[0])[len(warm) // 2]
        return {
            "path": "/" + path,
            "cold_seconds": round(cold, 3),
            "warm_seconds": round(middle[0], 3),
            "warm_all_seconds": [round(w[0], 3) for w in warm],
            "cold_split": cold_split,
            "warm_split": middle[2],
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
        url, n = filled_store(work, cities, indicators, years)
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
                first = drawn.measure(VIEWER, FLOOR_PATH)
                # Unmeasured: the server imports every page's modules once.
                warm_up, tab = drawn.tab(ADMIN)
                for spec in PAGES:
                    drawn.open(tab, spec.url_path)
                warm_up.close()
                floor_context, floor_tab = drawn.tab(VIEWER)
                drawn.open(floor_tab, FLOOR_PATH)
                pages = []
                for spec in PAGES:
                    _change_store(url)
                    measured = drawn.measure(ADMIN, spec.url_path, floor_tab)
                    pages.append({"page": spec.file.removesuffix(".py"), **measured})
                floor_context.close()
                signin_form = drawn.signin_form()
                log_tail = (work / "server.log").read_text(errors="replace")[-3000:]
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    load_after = [round(x, 2) for x in os.getloadavg()]
    if not drawn.floor_times:
        raise RuntimeError(f"the floor was never drawn: {first['errors']}")
    floor_times = sorted(drawn.floor_times, key=lambda f: f[0])
    floor_middle = floor_times[len(floor_times) // 2]
    floor_warm = round(floor_middle[0], 3)
    for page in pages:
        page["warm_vs_floor"] = round(page["warm_seconds"] / floor_warm, 2)
        page["cold_vs_floor"] = round(page["cold_seconds"] / floor_warm, 2)
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
        "floor_cold_seconds": first["cold_seconds"],
        "floor_warm_seconds": floor_warm,
        "floor_openings": len(floor_times),
        "floor_min_max_seconds": [round(floor_times[0][0], 3), round(floor_times[-1][0], 3)],
        "floor_split": floor_middle[2],
        "floor_errors": first["errors"],
        "signin_form_seconds": signin_form,
        "sign_in_post_seconds": [round(s, 3) for s in sign_in_seconds],
        "load_average_before": load_before,
        "load_average_after": load_after,
        "pages": pages,
        "failing": [p["page"] for p in pages if not p["pass"]],
    }
    if any(p["errors"] for p in pages):
        figures["server_log_tail"] = log_tail
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
    low, high = figures["floor_min_max_seconds"]
    print(
        f"floor: {figures['floor']}: cold {figures['floor_cold_seconds']:.3f} s (the server's "
        f"first run), warm {figures['floor_warm_seconds']:.3f} s (median of "
        f"{figures['floor_openings']} openings through the run, {low:.3f}-{high:.3f} s); the "
        f"sign-in form (plain HTML, not the floor) {figures['signin_form_seconds']:.3f} s"
    )
    print(
        "warm split: client = navigation to the first WebSocket frame sent, server = that "
        "frame to the run's last frame received, draw = after that; KB = WebSocket bytes "
        "received"
    )
    print(
        f"{'page':<13}{'path':<14}{'charts':>6}{'cold s':>8}{'warm s':>8}{'warm/floor':>11}"
        f"{'client':>8}{'server':>8}{'draw':>7}{'KB':>7}  result"
    )
    rows = [
        {
            "page": "floor",
            "path": "/" + FLOOR_PATH,
            "charts": 0,
            "cold_seconds": figures["floor_cold_seconds"],
            "warm_seconds": figures["floor_warm_seconds"],
            "warm_vs_floor": 1.0,
            "warm_split": figures["floor_split"],
            "pass": True,
            "errors": figures["floor_errors"],
        },
        *figures["pages"],
    ]
    for p in rows:
        result = "PASS" if p["pass"] else "FAIL"
        if p["errors"]:
            result += "  error: " + p["errors"][0].replace("\n", " ")[:80]
        split = p["warm_split"]
        print(
            f"{p['page']:<13}{p['path']:<14}{p['charts']:>6}{p['cold_seconds']:>8.2f}"
            f"{p['warm_seconds']:>8.2f}{p['warm_vs_floor']:>11.2f}"
            f"{split.get('client_load', 0):>8.2f}{split.get('server_run', 0):>8.2f}"
            f"{split.get('draw', 0):>7.2f}"
            f"{split.get('received_kb', 0):>7.0f}  {result}"
        )
    verdict = "every page" if figures["all_pass"] else "not every page"
    print(f"{verdict} warm within {figures['within']:g}x the floor")
