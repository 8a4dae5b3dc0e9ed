"""IGA (Kemendagri, Indeks Inovasi Daerah): a paginated JSON API or a directory of its pages."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import requests
from tenacity import (
    RetryCallState,
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
)

from .common import (
    UNREADABLE_ROW,
    Collector,
    IngestResult,
    PermanentSourceError,
    SourceError,
    to_json,
)

COLUMNS = [
    "id",
    "nama",
    "tahun",
    "profil_id",
    "pemda_kode_wilayah",
    "pemda_nama",
    "tahapan",
    "inisiator",
    "jenis_inovasi",
    "bentuk_inovasi_str",
    "urusan",
    "is_covid",
    "tujuan",
    "manfaat",
    "hasil_inovasi",
    "waktu_uji_coba",
    "waktu_implementasi",
    "predikat_pemda",
    "skor_indeks",
    "usr_asn_nama_lengkap",
    "usr_asn_no_hp",
]
RETRY_STATUS = {429, 500, 502, 503, 504}


class IgaFetchError(SourceError, RuntimeError):
    """The API could not be read: down, timing out, answering 429/5xx after every try. Transient:
    the asset's RetryPolicy reads the whole source again later."""


class IgaUnusableError(PermanentSourceError, IgaFetchError):
    """A saved page that is missing or not a usable page, or a URL the API refuses (HTTP 4xx other
    than 429): reading again changes nothing, so it is not retried."""


class IgaPageError(ValueError):
    """A page arrived but is not usable (bad JSON, wrong shape, cut short)."""


class _Retryable(Exception):
    """A failure worth another try: 429/5xx, a dropped connection, a timeout, an unusable body."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.retry_after = retry_after


@dataclass
class FetchPolicy:
    timeout_s: float = 30.0
    max_tries: int = 5
    backoff_s: float = 0.5
    max_backoff_s: float = 8.0


def _check_page(body: object, page: int | None) -> dict:
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise IgaPageError("body has no 'data' list")
    if page is not None:
        meta = body.get("meta")
        if not isinstance(meta, dict) or not isinstance(meta.get("last_page"), int):
            raise IgaPageError("body has no 'meta.last_page'")
        per_page = meta.get("per_page")
        if page < meta["last_page"] and isinstance(per_page, int) and len(body["data"]) < per_page:
            raise IgaPageError(f"page cut short: {len(body['data'])} of {per_page} records")
    return body


class IgaHttpPages:
    """GET {base}/tahun and {base}/inovasi?tahun=Y&page=N with timeouts and bounded retries."""

    def __init__(
        self, base: str, policy: FetchPolicy | None = None, session: requests.Session | None = None
    ):
        self.base = base.rstrip("/")
        self.policy = policy or FetchPolicy()
        self.session = session or requests.Session()
        self.digest = hashlib.sha256()
        self.retries = 0

    def _get(self, url: str, page: int | None) -> dict:
        """Bounded retries with exponential backoff (tenacity), honouring Retry-After; a body that
        arrives unusable (bad JSON, wrong shape, cut short) is retried like a 5xx."""
        p = self.policy

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            if isinstance(exc, _Retryable) and exc.retry_after is not None:
                return min(p.max_backoff_s, exc.retry_after)
            return min(p.max_backoff_s, p.backoff_s * 2 ** (state.attempt_number - 1))

        def count(_state: RetryCallState) -> None:
            self.retries += 1

        retrying = Retrying(
            stop=stop_after_attempt(p.max_tries),
            wait=wait,
            retry=retry_if_exception_type(_Retryable),
            before_sleep=count,
        )
        try:
            return retrying(self._attempt, url, page)
        except RetryError as err:
            last = err.last_attempt.exception()
            raise IgaFetchError(
                f"IGA: gave up on {url} after {p.max_tries} tries (last error: {last})"
            ) from None

    def _attempt(self, url: str, page: int | None) -> dict:
        try:
            resp = self.session.get(url, timeout=self.policy.timeout_s)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
        if resp.status_code in RETRY_STATUS:
            retry_after = resp.headers.get("Retry-After", "")
            raise _Retryable(
                f"HTTP {resp.status_code}", float(retry_after) if retry_after.isdigit() else None
            )
        if resp.status_code != 200:
            raise IgaUnusableError(f"IGA: {url} answered HTTP {resp.status_code}; not retried")
        try:
            body = _check_page(json.loads(resp.content), page)
        except (json.JSONDecodeError, UnicodeDecodeError, IgaPageError) as exc:
            raise _Retryable(f"unusable body ({exc})") from exc
        self.digest.update(resp.content)
        return body

    def years(self) -> list[int]:
        return list(self._get(f"{self.base}/tahun", None)["data"])

    def page(self, year: int, page: int) -> tuple[str, dict]:
        url = f"{self.base}/inovasi?{urlencode({'tahun': year, 'page': page})}"
        return url, self._get(url, page)

    def checksum(self) -> str:
        return self.digest.hexdigest()


class IgaDirectoryPages:
    """{dir}/tahun.json and {dir}/{YYYY}/page-{N}.json, the same bodies as the API."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.digest = hashlib.sha256()
        self.retries = 0
        if not (self.root / "tahun.json").exists():
            raise IgaUnusableError(f"IGA: {self.root / 'tahun.json'} not found")

    def _load(self, path: Path, page: int | None) -> dict:
        if not path.exists():
            raise IgaUnusableError(f"IGA: {path} not found")
        content = path.read_bytes()
        try:
            body = _check_page(json.loads(content), page)
        except (json.JSONDecodeError, UnicodeDecodeError, IgaPageError) as exc:
            raise IgaUnusableError(f"IGA: {path} is not a usable page ({exc})") from None
        self.digest.update(content)
        return body

    def years(self) -> list[int]:
        return list(self._load(self.root / "tahun.json", None)["data"])

    def page(self, year: int, page: int) -> tuple[str, dict]:
        path = self.root / str(year) / f"page-{page}.json"
        return str(path), self._load(path, page)

    def checksum(self) -> str:
        return self.digest.hexdigest()


def pages_for(source: str, policy: FetchPolicy | None = None):
    if source.startswith(("http://", "https://")):
        return IgaHttpPages(source, policy)
    return IgaDirectoryPages(source)


def flatten(rec: dict) -> dict:
    pemda = rec.get("pemda") if isinstance(rec.get("pemda"), dict) else {}
    asn = rec.get("usr_asn") if isinstance(rec.get("usr_asn"), dict) else {}
    out = {k: rec.get(k) for k in COLUMNS if k in rec}
    out.update(
        {
            "pemda_kode_wilayah": pemda.get("kode_wilayah") or None,
            "pemda_nama": pemda.get("nama_pemda"),
            "usr_asn_nama_lengkap": asn.get("nama_lengkap"),
            "usr_asn_no_hp": asn.get("no_hp"),
            "urusan": to_json(rec.get("urusan")) if rec.get("urusan") is not None else None,
            "id": None if rec.get("id") is None else str(rec.get("id")),
        }
    )
    for k in ("profil_id", "skor_indeks", "is_covid"):
        if out.get(k) is not None:
            out[k] = str(out[k])
    out["source_record_id"] = out["id"]
    return out


def read_iga(source: str, policy: FetchPolicy | None = None) -> IngestResult:
    pages = pages_for(source, policy)
    col = Collector("IGA", "id", {"nama": "nama", "tahun": "tahun"})
    notes = []
    for year in pages.years():
        page, last, total, got = 1, 1, None, 0
        while page <= last:
            where, body = pages.page(year, page)
            meta = body.get("meta", {})
            last, total = int(meta.get("last_page", 1)), meta.get("total", total)
            for i, rec in enumerate(body["data"], start=1):
                got += 1
                location = f"{where}, record {i}"
                if not isinstance(rec, dict):
                    col.read += 1
                    col.reject(
                        None,
                        location,
                        None,
                        "record is not a JSON object",
                        to_json(rec),
                        kind=UNREADABLE_ROW,
                    )
                    continue
                flat = flatten(rec)
                if (
                    flat.get("tahun") is None
                ):  # no year on the record: the year its page was asked for
                    flat["tahun"] = year
                col.offer(flat, location, rec, "nama", "tahun")
            page += 1
        if isinstance(total, int) and total != got:
            notes.append(f"year {year}: meta.total says {total}, pages held {got}")
    if pages.retries:
        notes.append(f"{pages.retries} retried requests")
    return col.result(COLUMNS, pages.checksum(), source, notes)
