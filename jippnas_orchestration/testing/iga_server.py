"""A local IGA API over saved pages, able to misbehave on cue (429, 5xx, slow, truncated, short)."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse


class IgaServer:
    """Serves {root}/tahun.json and {root}/{YYYY}/page-{N}.json as GET /tahun and /inovasi?tahun&page.

    `faults` maps a request key ('tahun' or 'YYYY/N') to the misbehaviours of its next requests,
    e.g. {'2020/2': ['429', '500']} answers 429, then 500, then the page.
    """

    def __init__(self, root: Path, faults: dict[str, list[str]] | None = None, slow_s: float = 2.0):
        self.root = Path(root)
        self.faults = defaultdict(list, {k: list(v) for k, v in (faults or {}).items()})
        self.slow_s = slow_s
        self.requests: list[str] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):
                url = urlparse(self.path)
                if url.path.endswith("/tahun"):
                    key, file = "tahun", server.root / "tahun.json"
                elif url.path.endswith("/inovasi"):
                    q = parse_qs(url.query)
                    year, page = q.get("tahun", ["?"])[0], q.get("page", ["1"])[0]
                    key, file = f"{year}/{page}", server.root / year / f"page-{page}.json"
                else:
                    return self._send(404, b'{"message": "not found"}')
                with server._lock:
                    server.requests.append(key)
                    fault = server.faults[key].pop(0) if server.faults[key] else None
                if not file.exists():
                    return self._send(404, b'{"message": "not found"}')
                body = file.read_bytes()
                if fault in ("429", "500", "502", "503"):
                    return self._send(int(fault), b'{"message": "busy"}', {"Retry-After": "0"})
                if fault == "slow":
                    time.sleep(server.slow_s)
                if fault == "truncate":
                    body = body[: len(body) // 2]
                if fault == "short":
                    doc = json.loads(body)
                    doc["data"] = doc["data"][:1]
                    body = json.dumps(doc).encode()
                return self._send(200, body)

            def _send(self, status, body, headers=None):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/api"

    def __enter__(self) -> "IgaServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
