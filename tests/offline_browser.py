"""Headless Chromium with the network cut off, driven over the DevTools protocol, recording every request.

Only loopback is reachable: every other request goes to a local proxy that writes down what was asked and answers
403, and host names do not resolve. The DevTools Network domain reports each request the page makes (file://
ones included) and each that failed, so a test can say both "nothing left the machine" and "everything loaded".
"""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import socketserver
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from websockets.sync.client import connect

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Chromium's own background calls (component updater, account check), made with or without a page open and
# despite --disable-component-update: the proxy refuses them too, but they say nothing about the page.
CHROMIUM_OWN_HOSTS = {"update.googleapis.com", "accounts.google.com", "clients2.google.com"}


class RefusingProxy(socketserver.ThreadingTCPServer):
    """An HTTP proxy on loopback that forwards nothing: it records the request line and answers 403."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.requests: list[str] = []
        proxy = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                line = self.rfile.readline(8192).decode("latin-1").strip()
                if line:
                    proxy.requests.append(line)
                self.wfile.write(
                    b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def hosts(self) -> list[str]:
        """The host of each request line: `CONNECT host:443 ...` or `GET http://host/... ...`."""
        return [
            urlsplit(target if "://" in target else f"//{target}").hostname
            for target in (line.split()[1] for line in self.requests if len(line.split()) > 1)
        ]

    def leaks(self, since: int = 0) -> list[str]:
        """Requests (from the `since`-th on) that tried to leave the machine, less Chromium's own background calls."""
        return [
            line
            for line, host in list(zip(self.requests, self.hosts()))[since:]
            if host not in CHROMIUM_OWN_HOSTS
        ]


@dataclass
class PageLoad:
    url: str
    session: str
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    failed: list[tuple[str, str]] = field(
        default_factory=list
    )  # (url, error) of those that did not load
    http_errors: list[tuple[str, int]] = field(default_factory=list)


class OfflineChromium:
    def __init__(self, profile_dir: Path, proxy: RefusingProxy):
        if not CHROMIUM:
            raise RuntimeError(
                "chromium is not installed: `make test` installs it (scripts/ensure_system_packages.sh)"
            )
        self.proxy = proxy
        profile_dir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-quic",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-domain-reliability",
                "--no-pings",
                "--dns-prefetch-disable",
                "--disable-extensions",
                "--disable-default-apps",
                "--disable-client-side-phishing-detection",
                "--no-service-autorun",
                "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,Translate,MediaRouter,"
                "AutofillServerCommunication,CertificateTransparencyComponentUpdater",
                f"--proxy-server=http://127.0.0.1:{proxy.port}",  # loopback bypasses it: nothing else does
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile_dir}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        port_file = profile_dir / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"chromium did not start: {self.proc.stderr.read().decode()[-2000:]}"
                )
            time.sleep(0.05)
        port, path = port_file.read_text().splitlines()[:2]
        self.ws = connect(f"ws://127.0.0.1:{port}{path}", max_size=None, open_timeout=20)
        self.ids = itertools.count(1)
        self.events: list[dict] = []

    def send(
        self,
        method: str,
        params: dict | None = None,
        session: str | None = None,
        timeout: float = 30,
    ):
        msg_id = next(self.ids)
        msg = {"id": msg_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + timeout
        while True:
            reply = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def _pump(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                self.events.append(json.loads(self.ws.recv(timeout=left)))
            except TimeoutError:
                return

    def open(
        self,
        url: str,
        width: int = 1400,
        height: int = 1000,
        timeout: float = 30,
        quiet: float = 1.0,
    ) -> PageLoad:
        """Load `url` in a new tab; return once it fired load and made no request for `quiet` seconds."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for method in ("Network.enable", "Page.enable", "Runtime.enable"):
            self.send(method, session=session)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        self.events.clear()
        self.send("Page.navigate", {"url": url}, session=session)
        load = PageLoad(url=url, session=session)
        urls: dict[str, str] = {}
        pending: set[str] = set()
        loaded, last_activity, deadline = False, time.monotonic(), time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._pump(0.1)
            for ev in self.events:
                if ev.get("sessionId") != session:
                    continue
                method, p = ev.get("method"), ev.get("params", {})
                if method == "Network.requestWillBeSent":
                    urls[p["requestId"]] = p["request"]["url"]
                    pending.add(p["requestId"])
                    load.requests.append(p["request"]["url"])
                elif (
                    method == "Network.responseReceived" and p["response"].get("status", 200) >= 400
                ):
                    load.http_errors.append((p["response"]["url"], p["response"]["status"]))
                elif method == "Network.loadingFinished":
                    pending.discard(p["requestId"])
                elif method == "Network.loadingFailed":
                    pending.discard(p["requestId"])
                    load.failed.append((urls.get(p["requestId"], "?"), p.get("errorText", "")))
                elif method == "Page.loadEventFired":
                    loaded = True
                if method and method.startswith(("Network.", "Page.load")):
                    last_activity = time.monotonic()
            self.events.clear()
            if loaded and not pending and time.monotonic() - last_activity >= quiet:
                return load
        raise TimeoutError(
            f"{url} did not finish loading in {timeout}s (pending: {[urls[r] for r in pending]})"
        )

    def evaluate(self, load: PageLoad, expression: str):
        res = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=load.session,
        )
        if "exceptionDetails" in res:
            raise RuntimeError(f"{expression}: {res['exceptionDetails']}")
        return res["result"].get("value")

    def screenshot(self, load: PageLoad, path: Path) -> None:
        data = self.send(
            "Page.captureScreenshot",
            {"format": "png", "captureBeyondViewport": False},
            session=load.session,
        )["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
