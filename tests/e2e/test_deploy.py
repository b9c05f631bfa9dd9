"""A ministry deployment on one machine: Debian's nginx with the site of deploy/nginx in front of
two app servers (scripts/serve.sh) on one PostgreSQL store, all on 127.0.0.1; and /healthz
following the store down and back up without restarting the app."""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from db.engine import get_engine
from mne import failures, intake, overview
from mne.access import operator
from mne.accounts import create_user, load_actor_by_name
from mne.i18n import Translator
from mne.store import init_store
from tests.conftest import ROOT, fresh_database_url
from tests.e2e.conftest import PASSWORD, Browser, _free_port, _serve

pytestmark = pytest.mark.e2e
NGINX = "/usr/sbin/nginx"


@pytest.fixture
def postgres_store(tmp_path: Path) -> Iterator[Engine]:
    for url in fresh_database_url("postgresql", tmp_path):
        engine = get_engine(url)
        init_store(engine, with_demo=True)
        yield engine


def _site(ports: list[int], listen: int) -> str:
    """deploy/nginx/mne.conf as shipped, pointed at these app servers and this port."""
    site = (ROOT / "deploy" / "nginx" / "mne.conf").read_text(encoding="utf-8")
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;\n" for p in ports)
    site, upstreams = re.subn(r"(?m)^    server 127\.0\.0\.1:\d+[^\n]*\n", "", site)
    assert upstreams >= 2, "the shipped site balances two or more app servers"
    site = site.replace("    ip_hash;\n", "    ip_hash;\n" + servers, 1)
    site = re.sub(r"(?m)^    listen \[::\]:80;\n", "", site)
    return re.sub(r"(?m)^    listen 80;", f"    listen 127.0.0.1:{listen};", site, count=1)


@pytest.fixture
def nginx(tmp_path: Path) -> Iterator[callable]:  # type: ignore[valid-type]
    """start(ports) -> the proxy's URL: nginx from Debian's package with the shipped site."""
    if not Path(NGINX).exists():
        pytest.fail("Debian's nginx is not installed (apt-get install nginx)")
    started: list[subprocess.Popen[bytes]] = []

    def start(ports: list[int]) -> str:
        listen = _free_port()
        (tmp_path / "site.conf").write_text(_site(ports, listen), encoding="utf-8")
        temp = tmp_path / "temp"
        temp.mkdir()
        paths = "".join(
            f"{kind}_temp_path {temp / kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (tmp_path / "nginx.conf").write_text(
            f"daemon off;\npid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\n"
            f"events {{}}\nhttp {{\naccess_log off;\n{paths}include {tmp_path / 'site.conf'};\n}}\n",
            encoding="utf-8",
        )
        config = ["-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)]
        checked = subprocess.run([NGINX, "-t", *config], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        started.append(subprocess.Popen([NGINX, *config]))
        url = f"http://127.0.0.1:{listen}"
        _wait_for(url + "/healthz", 200)
        return url

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=20)


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0


def _wait_for(url: str, status: int, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while _status(url) != status:
        assert time.time() < deadline, f"{url} did not answer {status}"
        time.sleep(0.3)


def _server_of(response: object) -> str:
    return str(response.headers["x-mne-server"])  # type: ignore[attr-defined]


def test_through_nginx_a_stopped_server_leaves_its_browsers_signed_in_on_the_other(
    postgres_store: Engine,
    browser: Browser,
    nginx: callable,  # type: ignore[valid-type]
) -> None:
    engine = postgres_store
    create_user(engine, operator(), "analyst.ng", PASSWORD, "analyst")
    create_user(engine, operator(), "focal.ng", PASSWORD, "focal_point", city_codes=("VNDAD",))
    year = overview.overview(engine, "en").figures.year
    assert year is not None
    focal = load_actor_by_name(engine, "focal.ng")
    assert focal is not None
    data = f"city,indicator,period,value\nVNDAD,QE_PM25,{year + 1},21\n".encode()
    preview = intake.check(engine, data, "dad.csv", Translator("en"), actor=focal)
    assert intake.commit_preview(engine, preview, focal)["status"] == "committed"

    url = engine.url.render_as_string(hide_password=False)
    servers = {}
    for _ in range(2):
        server = _serve(url)
        servers[int(next(server).rsplit(":", 1)[1])] = server
    proxy = nginx(list(servers))
    page = browser.page
    try:
        browser.open(proxy + "/?lang=en")
        browser.sign_in("analyst.ng", PASSWORD)
        first = _server_of(page.reload())  # type: ignore[attr-defined]
        browser.ready()
        assert not page.get_by_text("in progress:").count()  # type: ignore[attr-defined]
        page.get_by_role("link", name="Approvals").click()  # type: ignore[attr-defined]
        browser.ready()
        page.get_by_role("button", name="Approve").click()  # type: ignore[attr-defined]
        page.get_by_text("values now count").wait_for(timeout=30_000)  # type: ignore[attr-defined]

        port = int(first.rsplit(":", 1)[1])
        next(servers.pop(port), None)  # stop the server that served this browser
        response = page.goto(proxy + "/?lang=en")  # type: ignore[attr-defined]
        browser.ready()
        assert _server_of(response) != first  # the other server answered
        # Still signed in there, and it shows the approval made through the stopped server.

        page.get_by_role("button", name="Sign out").wait_for(timeout=60_000)  # type: ignore[attr-defined]
        page.get_by_text("in progress:").wait_for(timeout=60_000)  # type: ignore[attr-defined]
    finally:
        for server in servers.values():
            next(server, None)


class _Forwarder:
    """A TCP forwarder in front of PostgreSQL, to take "the database" away and bring it back
    without touching the server other tests use."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.open = threading.Event()
        self.open.set()
        self.links: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            client, _ = self.listener.accept()
            if not self.open.is_set():
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.links += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        """The database is gone: open connections drop, new ones are refused."""
        self.open.clear()
        for link in self.links:
            with contextlib.suppress(OSError):
                link.shutdown(socket.SHUT_RDWR)
        self.links.clear()

    def start(self) -> None:
        self.open.set()


def test_health_is_503_with_the_database_stopped_and_200_once_it_is_back(
    postgres_store: Engine,
) -> None:
    url = make_url(postgres_store.url.render_as_string(hide_password=False))
    forwarder = _Forwarder((url.host or "localhost", url.port or 5432))
    through = url.set(host="127.0.0.1", port=forwarder.port).render_as_string(hide_password=False)
    server = _serve(through)
    app = next(server)
    try:
        assert _status(app + "/healthz") == 200
        forwarder.stop()
        _wait_for(app + "/healthz", 503, seconds=30)
        forwarder.start()
        _wait_for(app + "/healthz", 200, seconds=30)  # the same process, no restart
    finally:
        next(server, None)


def test_a_store_that_stops_answering_gets_a_page_of_the_apps_own(
    postgres_store: Engine, browser: Browser
) -> None:
    """Not Streamlit's generic error page: what happened, that nothing was half-saved, what to
    do, in the user's language; and the app is back by itself with the store."""
    vi = Translator("vi")
    create_user(postgres_store, operator(), "viewer.down", PASSWORD, "viewer")
    url = make_url(postgres_store.url.render_as_string(hide_password=False))
    forwarder = _Forwarder((url.host or "localhost", url.port or 5432))
    through = url.set(host="127.0.0.1", port=forwarder.port).render_as_string(hide_password=False)
    server = _serve(through)
    app = next(server)
    page = browser.page
    try:
        browser.open(app + "/?lang=vi")
        browser.sign_in("viewer.down", PASSWORD, lang="vi")
        forwarder.stop()
        page.reload()  # type: ignore[attr-defined]
        page.get_by_text(vi("The store does not answer.")).wait_for(timeout=60_000)  # type: ignore[attr-defined]
        shown = page.locator("[data-testid='stMain']").inner_text()  # type: ignore[attr-defined]
        assert vi(failures.NOTHING_LOST) in shown and "Ask Google" not in shown
        assert "Traceback" not in shown and "OperationalError" not in shown
        forwarder.start()
        page.reload()  # type: ignore[attr-defined]
        page.get_by_role("button", name=vi("Sign out")).wait_for(timeout=60_000)  # type: ignore[attr-defined]
    finally:
        next(server, None)
