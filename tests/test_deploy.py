"""deploy/: what a ministry's IT installs on Debian is accepted by the tools that will run it.

nginx and systemd-analyze are Debian's (the CI installs nginx); without them locally the
tests are skipped. The PostgreSQL set-up script is run against TEST_POSTGRES_URL, and the
dashboard then works as the role it made, which is no superuser.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import ROOT, _postgres_admin_url

DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
INSTALL_DIR = "/opt/mne"


def _env_example() -> dict[str, str]:
    lines = (DEPLOY / "mne.env.example").read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if line and not line.startswith("#")]
    return {key: value for key, value in pairs}


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (the CI installs it)")
def test_nginx_accepts_the_site(tmp_path: Path) -> None:
    """`nginx -t` on the site, included in the http block as Debian's nginx.conf does."""
    (tmp_path / "nginx.conf").write_text(
        f"""pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{}}
http {{
    access_log {tmp_path}/access.log;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {DEPLOY / "nginx" / "mne.conf"};
}}
"""
    )
    assert NGINX is not None
    checked = subprocess.run(
        [NGINX, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path), "-e", "stderr"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


def test_the_site_balances_two_servers_with_websockets_and_the_upload_limit() -> None:
    site = (DEPLOY / "nginx" / "mne.conf").read_text()
    active = "\n".join(line.split("#")[0] for line in site.splitlines())
    assert len(re.findall(r"server 127\.0\.0\.1:85\d\d", active)) >= 2
    assert "ip_hash;" in active
    stream = re.search(r"location /_stcore/stream \{(.*?)\}", active, re.S)
    assert stream is not None and "proxy_read_timeout 1h" in stream.group(1)
    assert "proxy_set_header Upgrade $http_upgrade" in active
    assert "X-Forwarded-Proto $scheme" in active and "X-Forwarded-For" in active
    body_mb = int(re.search(r"client_max_body_size (\d+)m;", active).group(1))  # type: ignore[union-attr]
    upload_mb = int(_env_example()["MNE_MAX_UPLOAD_MB"])
    streamlit = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert streamlit["server"]["maxUploadSize"] == upload_mb
    assert upload_mb < body_mb <= upload_mb * 2  # room for the multipart envelope
    assert "# ssl_certificate " in site and "listen 443 ssl" in site


@pytest.fixture
def units(tmp_path: Path) -> Iterator[Path]:
    """The units with the install directory moved to tmp_path, holding a serve.sh."""
    install = tmp_path / "install"
    (install / "scripts").mkdir(parents=True)
    (install / "scripts" / "serve.sh").write_text("#!/bin/sh\n")
    (install / "scripts" / "serve.sh").chmod(0o755)
    folder = tmp_path / "units"
    folder.mkdir()
    for unit in (DEPLOY / "systemd").iterdir():
        (folder / unit.name).write_text(unit.read_text().replace(INSTALL_DIR, str(install)))
    yield folder


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_accepts_the_units(units: Path) -> None:
    checked = subprocess.run(
        ["systemd-analyze", "verify"]
        + [str(units / n) for n in ("mne@8501.service", "mne-backup.service", "mne-backup.timer")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr.strip() == "", checked.stderr  # not even a warning


def test_the_app_unit_runs_serve_sh_with_the_shared_settings_as_its_own_user() -> None:
    unit = (DEPLOY / "systemd" / "mne@.service").read_text()
    assert f"ExecStart={INSTALL_DIR}/scripts/serve.sh %i" in unit
    assert "EnvironmentFile=/etc/mne/mne.env" in unit
    assert "User=mne" in unit and "Restart=on-failure" in unit
    assert "NoNewPrivileges=yes" in unit and "ProtectSystem=strict" in unit
    settings = _env_example()
    assert {"DATABASE_URL", "MNE_COOKIE_SECRET"} <= set(settings)
    assert make_url(settings["DATABASE_URL"]).get_backend_name() == "postgresql"
    backup = (DEPLOY / "systemd" / "mne-backup.service").read_text()
    assert "-m mne backup" in backup


@pytest.fixture
def setup_role() -> Iterator[tuple[str, str]]:
    """deploy/postgres-setup.sql run as the admin with a role and database of the test's own."""
    admin_url = _postgres_admin_url()
    if shutil.which("psql") is None:
        pytest.skip("psql is not installed")
    suffix = uuid.uuid4().hex[:10]
    role, database, password = f"mne_app_{suffix}", f"mne_{suffix}", uuid.uuid4().hex
    admin = make_url(admin_url)
    psql_url = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    made = subprocess.run(
        [
            *("psql", psql_url, "-X", "-q", "-f", str(DEPLOY / "postgres-setup.sql")),
            *("-v", f"app_password={password}", "-v", f"app_role={role}"),
            *("-v", f"app_database={database}"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    app_url = admin.set(username=role, password=password, database=database)
    try:
        assert made.returncode == 0, made.stderr
        yield role, app_url.render_as_string(hide_password=False)
    finally:
        engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        engine.dispose()


def _mne(url: str, *argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mne", *argv],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_postgresql_setup_makes_a_role_that_is_no_superuser_and_runs_everything(
    setup_role: tuple[str, str], tmp_path: Path
) -> None:
    """init (migrations), the first admin, an import, backup and restore --force, as the app role."""
    role, url = setup_role
    engine = create_engine(_postgres_admin_url())
    with engine.connect() as conn:
        flags = conn.execute(
            text("SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = :r"),
            {"r": role},
        ).one()
    engine.dispose()
    assert tuple(flags) == (False, False, False)

    assert _mne(url, "init").returncode == 0
    added = _mne(
        url,
        "user",
        "add",
        "chief",
        "--role",
        "admin",
        "--password-stdin",
        stdin="a long pass phrase\n",
    )
    assert added.returncode == 0, added.stderr
    values = tmp_path / "values.csv"
    values.write_text("city,indicator,period,value\nVNHAN,QE_PM25,2024,38\n")
    assert _mne(url, "import", str(values)).returncode == 0
    dump = tmp_path / "mne.backup"
    assert _mne(url, "backup", str(dump)).returncode == 0, "backup as the app role"
    restored = _mne(url, "restore", str(dump), "--force")
    assert restored.returncode == 0, restored.stderr
    listed = _mne(url, "values", "--json")
    assert '"VNHAN"' in listed.stdout and "38" in listed.stdout


# --- nginx in front of two stand-in app servers ---------------------------------------------


class _AppServer(http.server.BaseHTTPRequestHandler):
    """Stands in for an app server: answers with its port, the headers and body size it got,
    and echoes the bytes of a WebSocket it accepted."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self, body_bytes: int) -> None:
        if getattr(self.server, "stopped", False):  # a stopped server: its connections drop
            self.close_connection = True
            return
        payload = json.dumps(
            {
                "port": self.server.server_address[1],
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body_bytes": body_bytes,
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        if self.headers.get("Upgrade", "").lower() != "websocket":
            self._answer(0)
            return
        accept = base64.b64encode(
            hashlib.sha1(
                (
                    self.headers["Sec-WebSocket-Key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
                ).encode()
            ).digest()
        ).decode()
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.wfile.flush()
        self.wfile.write(b"from:" + str(self.server.server_address[1]).encode() + b":")
        self.wfile.write(self.rfile.read(5))  # echo what the browser sent
        self.wfile.flush()
        self.close_connection = True

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        received = 0
        while received < length:
            received += len(self.rfile.read(min(1 << 20, length - received)))
        self._answer(received)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[tuple[int, dict[int, http.server.ThreadingHTTPServer]]]:
    """nginx running the site on a free port, balancing two stand-in app servers."""
    if NGINX is None:
        pytest.skip("nginx is not installed (the CI installs it)")
    apps = {}
    for _ in range(2):
        app = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _AppServer)
        threading.Thread(target=app.serve_forever, daemon=True).start()
        apps[app.server_address[1]] = app
    port = _free_port()
    site = (DEPLOY / "nginx" / "mne.conf").read_text()
    site = site.replace("    listen [::]:80;\n", "").replace(
        "listen 80;", f"listen 127.0.0.1:{port};"
    )
    upstreams = "".join(f"    server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;\n" for p in apps)
    site = re.sub(r"(    server 127\.0\.0\.1:85\d\d.*\n)+", upstreams, site)
    (tmp_path / "mne.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"""daemon off;
master_process off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{}}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {tmp_path}/mne.conf;
}}
"""
    )
    assert NGINX is not None
    nginx = subprocess.Popen(
        [NGINX, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path), "-e", "stderr"],
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.time() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert nginx.poll() is None, nginx.communicate()[1]
                assert time.time() < deadline, "nginx did not start"
                time.sleep(0.1)
        yield port, apps
    finally:
        nginx.terminate()
        nginx.wait(timeout=20)
        for app in apps.values():
            app.shutdown()
            app.server_close()


def _get(port: int, client: str, path: str = "/healthz") -> dict[str, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(client, 0))
    try:
        conn.request("GET", path)
        answer = conn.getresponse()
        assert answer.status == 200, answer.status
        return dict(json.loads(answer.read()))
    finally:
        conn.close()


def test_nginx_keeps_each_browser_on_one_server_and_balances_the_others(
    proxy: tuple[int, dict[int, http.server.ThreadingHTTPServer]],
) -> None:
    port, apps = proxy
    # Browsers on different networks (ip_hash reads an IPv4 address's first three bytes).
    clients = [f"127.0.{n}.1" for n in range(24)]
    served = {client: {_get(port, client)["port"] for _ in range(3)} for client in clients}
    assert all(len(ports) == 1 for ports in served.values()), served  # sticky
    assert set().union(*served.values()) == set(apps)  # both servers get browsers
    answer = _get(port, clients[0], "/city?code=VNDAD")
    assert answer["headers"]["x-forwarded-for"] == clients[0]
    assert answer["headers"]["x-forwarded-proto"] == "http"
    assert answer["headers"]["host"] == f"127.0.0.1:{port}"

    # The server of the first browser stops: its next page load is served by the other one.
    (first,) = served[clients[0]]
    apps[first].stopped = True  # type: ignore[attr-defined]
    apps[first].shutdown()
    apps[first].server_close()
    assert _get(port, clients[0])["port"] != first


def test_nginx_upgrades_the_session_stream_to_a_websocket(
    proxy: tuple[int, dict[int, http.server.ThreadingHTTPServer]],
) -> None:
    port, _apps = proxy
    with socket.create_connection(("127.0.0.1", port), timeout=30) as browser:
        browser.sendall(
            b"GET /_stcore/stream HTTP/1.1\r\nHost: mne\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        )
        head = b""
        while b"\r\n\r\n" not in head:
            head += browser.recv(4096)
        assert head.startswith(b"HTTP/1.1 101"), head
        assert b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" in head
        browser.sendall(b"hello")
        echoed = head.split(b"\r\n\r\n", 1)[1]
        while not echoed.endswith(b"hello"):
            echoed += browser.recv(4096)
        assert echoed.startswith(b"from:")


def test_nginx_accepts_an_upload_of_the_limit_and_refuses_a_larger_one(
    proxy: tuple[int, dict[int, http.server.ThreadingHTTPServer]],
) -> None:
    port, _apps = proxy
    limit_mb = int(_env_example()["MNE_MAX_UPLOAD_MB"])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    body = b"x" * ((limit_mb + 1) << 20)
    try:
        conn.request("POST", "/_stcore/upload_file/session/file", body=body)
        answer = conn.getresponse()
        assert answer.status == 200
        assert json.loads(answer.read())["body_bytes"] == len(body)
    finally:
        conn.close()
    # Twice the limit: refused from the announced length, before the body is sent.
    with socket.create_connection(("127.0.0.1", port), timeout=30) as browser:
        browser.sendall(
            b"POST /_stcore/upload_file/session/file HTTP/1.1\r\nHost: mne\r\n"
            + f"Content-Length: {(limit_mb * 2) << 20}\r\n\r\n".encode()
        )
        assert browser.recv(4096).startswith(b"HTTP/1.1 413")
