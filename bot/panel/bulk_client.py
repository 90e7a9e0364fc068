"""`panel fetch`: a FHIR Bulk Data client (Group export) with SMART Backend Services auth.

1. Token: a JWT client assertion (iss = sub = client id, aud = token URL, exp <= 5 minutes,
   unique jti) signed RS384 or ES384 with the registered key, exchanged at the token endpoint
   (found in `.well-known/smart-configuration` unless configured) for an access token. Real
   servers answer token requests with sporadic 400s/5xx: a few retries with backoff. A static
   bearer token may be configured instead.
2. Kick-off: `GET [base]/Group/[id]/$export` with `Accept: application/fhir+json` and
   `Prefer: respond-async` (`_since`, `_type`); the server answers 202 and `Content-Location`.
3. Poll that URL, honouring `Retry-After`, until 200 and a manifest.
4. Download each output file (with the token when the manifest requires it) to a folder, which
   `panel import` then reads.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from bot.errors import OutreachError

log = logging.getLogger(__name__)

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#: Lifetime of a client assertion (s); the SMART spec allows at most five minutes.
ASSERTION_SECONDS = 300
#: Token request attempts and the pause before each retry (s).
TOKEN_RETRY_DELAYS = (1.0, 3.0)
#: Longest wait between status polls a server may ask for, and the wait when it gives none (s).
MAX_RETRY_AFTER_SECONDS = 120
DEFAULT_POLL_SECONDS = 5
#: Give up on an export still running after this long (s).
EXPORT_TIMEOUT_SECONDS = 6 * 3600
HTTP_TIMEOUT_SECONDS = 60


class BulkDataError(OutreachError):
    """The EHR refused or failed the export; the message says which step and why."""


@dataclass(frozen=True)
class FetchConfig:
    base_url: str
    group_id: str
    client_id: str | None = None
    private_key_pem: bytes | None = field(default=None, repr=False)
    key_id: str | None = None
    token_url: str | None = None
    bearer_token: str | None = field(default=None, repr=False)
    scope: str = "system/*.read"
    types: tuple[str, ...] = ("Patient", "MedicationRequest", "MedicationDispense",
                              "Appointment", "EpisodeOfCare")


@dataclass
class FetchResult:
    files: list[Path]
    transaction_time: str | None
    errors: list[str]


def _algorithm(key: Any) -> str:
    if isinstance(key, rsa.RSAPrivateKey):
        return "RS384"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return "ES384"
    raise BulkDataError("the private key must be RSA (RS384) or EC P-384 (ES384)")


def client_assertion(cfg: FetchConfig, token_url: str, now: datetime) -> str:
    """The signed JWT that authenticates this client at the token endpoint."""
    if not (cfg.client_id and cfg.private_key_pem):
        raise BulkDataError("SMART Backend Services needs a client id and a private key")
    try:
        key = serialization.load_pem_private_key(cfg.private_key_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise BulkDataError(f"the private key is not a readable PEM key ({exc})") from None
    claims = {"iss": cfg.client_id, "sub": cfg.client_id, "aud": token_url,
              "exp": int((now + timedelta(seconds=ASSERTION_SECONDS)).timestamp()),
              "iat": int(now.timestamp()), "jti": uuid.uuid4().hex}
    headers = {"typ": "JWT", **({"kid": cfg.key_id} if cfg.key_id else {})}
    return jwt.encode(claims, key, algorithm=_algorithm(key), headers=headers)  # type: ignore[arg-type]


def _problem(resp: requests.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return f"HTTP {resp.status_code}"
    if isinstance(body, dict):
        if "error" in body:
            return f"HTTP {resp.status_code}: {body.get('error')}: {body.get('error_description', '')}".strip()
        issues = body.get("issue") or []
        texts = [i.get("diagnostics") or (i.get("details") or {}).get("text") or i.get("code")
                 for i in issues if isinstance(i, dict)]
        if texts:
            return f"HTTP {resp.status_code}: " + "; ".join(str(t) for t in texts)
    return f"HTTP {resp.status_code}"


class BulkClient:
    def __init__(self, cfg: FetchConfig, http: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self.cfg, self.http, self.sleep, self.clock = cfg, http or requests.Session(), sleep, clock
        self.token: str | None = cfg.bearer_token

    def _url(self, path: str) -> str:
        return self.cfg.base_url.rstrip("/") + "/" + path.lstrip("/")

    def token_url(self) -> str:
        if self.cfg.token_url:
            return self.cfg.token_url
        resp = self.http.get(self._url(".well-known/smart-configuration"),
                             headers={"Accept": "application/json"}, timeout=HTTP_TIMEOUT_SECONDS)
        if resp.status_code != 200 or "token_endpoint" not in resp.json():
            raise BulkDataError("no token endpoint in .well-known/smart-configuration "
                                f"({_problem(resp)}); set FHIR_TOKEN_URL")
        return str(resp.json()["token_endpoint"])

    def authenticate(self) -> str:
        """An access token: the static one, or a fresh one from the token endpoint."""
        if self.cfg.bearer_token:
            return self.cfg.bearer_token
        url = self.token_url()
        problem = ""
        for delay in (0.0, *TOKEN_RETRY_DELAYS):
            if delay:
                self.sleep(delay)
            resp = self.http.post(url, timeout=HTTP_TIMEOUT_SECONDS, data={
                "grant_type": "client_credentials", "scope": self.cfg.scope,
                "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": client_assertion(self.cfg, url, self.clock())})
            if resp.status_code == 200 and resp.json().get("access_token"):
                self.token = str(resp.json()["access_token"])
                return self.token
            problem = _problem(resp)
            if resp.status_code in (401, 403):
                break
        raise BulkDataError(f"the token endpoint refused this client: {problem} "
                            "(is the registered public key the one for FHIR_PRIVATE_KEY?)")

    def _headers(self, accept: str = "application/fhir+json") -> dict[str, str]:
        headers = {"Accept": accept}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def kick_off(self, since: str | None = None) -> str:
        params = {"_type": ",".join(self.cfg.types), "_outputFormat": "application/fhir+ndjson"}
        if since:
            params["_since"] = since
        resp = self.http.get(self._url(f"Group/{self.cfg.group_id}/$export"), params=params,
                             headers={**self._headers(), "Prefer": "respond-async"},
                             timeout=HTTP_TIMEOUT_SECONDS)
        if resp.status_code != 202 or not resp.headers.get("Content-Location"):
            raise BulkDataError(f"export kick-off refused: {_problem(resp)}")
        return resp.headers["Content-Location"]

    def wait(self, status_url: str) -> dict[str, Any]:
        """Poll until the manifest is ready, sleeping as the server's Retry-After asks."""
        deadline = time.monotonic() + EXPORT_TIMEOUT_SECONDS
        while True:
            resp = self.http.get(status_url, headers=self._headers("application/json"),
                                 timeout=HTTP_TIMEOUT_SECONDS)
            if resp.status_code == 200:
                manifest = resp.json()
                if not isinstance(manifest, dict) or "output" not in manifest:
                    raise BulkDataError("the export finished without a manifest")
                return manifest
            if resp.status_code != 202:
                raise BulkDataError(f"export failed: {_problem(resp)}")
            if time.monotonic() > deadline:
                raise BulkDataError(f"export still running after {EXPORT_TIMEOUT_SECONDS} s")
            self.sleep(_retry_after(resp.headers.get("Retry-After")))

    def download(self, manifest: dict[str, Any], dest: Path) -> list[Path]:
        dest.mkdir(parents=True, exist_ok=True)
        needs_token = bool(manifest.get("requiresAccessToken"))
        counts: dict[str, int] = {}
        files = []
        for item in manifest.get("output") or []:
            rtype = str(item.get("type") or "Resource")
            counts[rtype] = counts.get(rtype, 0) + 1
            path = dest / f"{rtype}.{counts[rtype]:03d}.ndjson"
            headers = self._headers("application/fhir+ndjson") if needs_token else {
                "Accept": "application/fhir+ndjson"}
            with self.http.get(item["url"], headers=headers, stream=True,
                               timeout=HTTP_TIMEOUT_SECONDS) as resp:
                if resp.status_code != 200:
                    raise BulkDataError(f"download of {rtype} file failed: {_problem(resp)}")
                with path.open("wb") as handle:
                    for chunk in resp.iter_content(chunk_size=1 << 16):
                        handle.write(chunk)
            files.append(path)
        return files

    def fetch(self, dest: Path, since: str | None = None) -> FetchResult:
        self.authenticate()
        manifest = self.wait(self.kick_off(since))
        files = self.download(manifest, dest)
        errors = [str(e.get("url")) for e in manifest.get("error") or [] if isinstance(e, dict)]
        (dest / "manifest.json").write_text(json.dumps(manifest, indent=2))
        return FetchResult(files, manifest.get("transactionTime"), errors)


def _retry_after(value: str | None) -> float:
    if not value:
        return DEFAULT_POLL_SECONDS
    try:
        seconds = float(value)
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            seconds = (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds()
        except (TypeError, ValueError):
            return DEFAULT_POLL_SECONDS
    return max(0.0, min(seconds, MAX_RETRY_AFTER_SECONDS))
