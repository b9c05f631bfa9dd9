"""Simulated browsers for `python -m mne bench load` (mne/bench_load.py runs this file in a
subprocess, so mne/ never imports Streamlit): each session signs in through the HTML form
(POST /signin, as a browser does), loads a page through the page gate, then opens pages by
speaking Streamlit's own WebSocket protocol (/_stcore/stream, subprotocol "streamlit": a
BackMsg `rerun_script` naming the page, ForwardMsgs read until `script_finished`), as the
frontend does when a menu entry is clicked. Then it signs in again, and so on until the end.

Prints one JSON object: every sign-in and every page run, with when it started (epoch
seconds), how long it took and what went wrong, if anything.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

# The pages every signed-in role may open (mne.navigation), with a query where the page
# takes one; all in English so the checks below can read the page.
PAGES = (
    ("", ""),
    ("city", "code=VNHAN"),
    ("explorer", ""),
    ("compare", ""),
    ("tasks", ""),
    ("projects", ""),
    ("coverage", ""),
    ("catalog", ""),
    ("methodology", ""),
)
# What the app's own failure page (mne/failures.py, server.py's on_script_error) always says.
FAILURE_SIGN = "Nothing was saved half-way"
SIGNED_IN_SIGN = "Signed in as"
PAGE_TIMEOUT = 300.0


class Run:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.base = args.base.rstrip("/")
        self.ws_url = self.base.replace("http://", "ws://", 1) + "/_stcore/stream"
        self.start = time.time()
        self.sign_ins: list[dict[str, Any]] = []
        self.pages: list[dict[str, Any]] = []

    def over(self) -> bool:
        elapsed = time.time() - self.start
        if elapsed >= self.args.max_seconds:
            return True
        if elapsed < self.args.seconds:
            return False
        return not (self.args.while_exists and Path(self.args.while_exists).exists())

    async def session(self, number: int, name: str) -> None:
        await asyncio.sleep(number * self.args.spawn_seconds / max(1, self.args.sessions))
        rounds = 0
        # A new connection per request: a browser silently retries a request on a kept-alive
        # connection the server closed meanwhile (uvicorn closes idle ones after 5 s); httpx
        # would report it as an error of the server instead.
        no_reuse = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(
            base_url=self.base, timeout=PAGE_TIMEOUT, limits=no_reuse
        ) as http:
            while not self.over():
                token = await self.sign_in(http, number, name)
                if token is None:
                    await asyncio.sleep(self.args.think)
                    continue
                await self.open_pages(http, number, token, rounds)
                rounds += 1

    async def sign_in(self, http: httpx.AsyncClient, number: int, name: str) -> str | None:
        record: dict[str, Any] = {"session": number, "at": time.time(), "error": ""}
        began = time.perf_counter()
        try:
            answer = await http.post(
                "/signin",
                data={"username": name, "password": self.args.password, "next": "/", "lang": "en"},
                headers={"Origin": self.base},
            )
            token = answer.cookies.get("mne_session")
            if answer.status_code != 303 or not token:
                record["error"] = f"HTTP {answer.status_code} without a session cookie"
                token = None
        except Exception as error:  # a refused connection, a timeout: counted, not raised
            record["error"], token = f"{type(error).__name__}: {error}", None
        record["seconds"] = time.perf_counter() - began
        self.sign_ins.append(record)
        return token

    async def open_pages(
        self, http: httpx.AsyncClient, number: int, token: str, rounds: int
    ) -> None:
        cookie = f"mne_session={token}"
        first = (number + rounds * self.args.pages_per_sign_in) % len(PAGES)
        try:
            # The browser's page load: the gate checks the session and serves index.html.
            page = await http.get("/?lang=en", headers={"Cookie": cookie})
            if page.status_code != 200:
                raise RuntimeError(f"the page load answered HTTP {page.status_code}")
            async with websockets.connect(
                self.ws_url,
                subprotocols=["streamlit"],  # type: ignore[list-item]
                additional_headers={"Cookie": cookie, "Origin": self.base},
                max_size=None,
                open_timeout=PAGE_TIMEOUT,
                ping_interval=None,
            ) as socket:
                for k in range(self.args.pages_per_sign_in):
                    if self.over():
                        break
                    path, query = PAGES[(first + k) % len(PAGES)]
                    await self.open_page(socket, number, path, query)
                    await asyncio.sleep(self.args.think)
        except Exception as error:
            self.pages.append(
                {
                    "session": number,
                    "page": "(connect)",
                    "at": time.time(),
                    "seconds": 0.0,
                    "error": f"{type(error).__name__}: {error}",
                }
            )

    async def open_page(self, socket: Any, number: int, path: str, query: str) -> None:
        record: dict[str, Any] = {"session": number, "page": path or "overview", "at": time.time()}
        message = BackMsg()
        rerun = message.rerun_script
        rerun.query_string = "&".join(q for q in (query, "lang=en") if q)
        rerun.page_name = path
        rerun.context_info.url = f"{self.base}/{path}?{rerun.query_string}"
        rerun.context_info.timezone = "Asia/Ho_Chi_Minh"
        rerun.context_info.locale = "en-US"
        began = time.perf_counter()
        error = ""
        signed_in = False
        texts: list[str] = []
        try:
            await socket.send(message.SerializeToString())
            while True:
                data = await asyncio.wait_for(socket.recv(), PAGE_TIMEOUT)
                forward = ForwardMsg()
                forward.ParseFromString(data)
                kind = forward.WhichOneof("type")
                if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                    element = forward.delta.new_element
                    shown = element.WhichOneof("type")
                    if shown in ("markdown", "alert", "heading") and len(texts) < 6:
                        texts.append(getattr(element, shown).body[:120])
                    if shown == "exception":
                        error = error or f"exception: {element.exception.message[:200]}"
                    elif shown == "alert" and FAILURE_SIGN in element.alert.body:
                        error = error or f"failure page: {element.alert.body[:200]}"
                    elif shown == "markdown" and SIGNED_IN_SIGN in element.markdown.body:
                        signed_in = True
                elif kind == "page_not_found":
                    error = error or "page not found"
                elif kind == "script_finished":
                    status = ForwardMsg.ScriptFinishedStatus.Name(forward.script_finished)
                    if status == "FINISHED_EARLY_FOR_RERUN":
                        continue  # the script asked for a rerun: its next run is the page
                    if status != "FINISHED_SUCCESSFULLY":
                        error = error or status
                    break
        except Exception as failure:
            error = error or f"{type(failure).__name__}: {failure}"
        if not error and not signed_in:
            error = f"the page did not show the signed-in account; it showed {texts}"
        record["seconds"] = time.perf_counter() - began
        record["error"] = error
        self.pages.append(record)


async def main(args: argparse.Namespace) -> dict[str, Any]:
    run = Run(args)
    names = json.loads(args.accounts)
    await asyncio.gather(*(run.session(n, names[n % len(names)]) for n in range(args.sessions)))
    return {
        "start": run.start,
        "end": time.time(),
        "sessions": args.sessions,
        "sign_ins": run.sign_ins,
        "pages": run.pages,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--accounts", required=True, help="a JSON list of user names")
    parser.add_argument("--password", required=True)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-seconds", type=float, default=900)
    parser.add_argument("--while-exists", default="", help="go on past --seconds while it exists")
    parser.add_argument("--spawn-seconds", type=float, default=10)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--pages-per-sign-in", type=int, default=3)
    print(json.dumps(asyncio.run(main(parser.parse_args()))))
