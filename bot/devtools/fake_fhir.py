"""A local FHIR Bulk Data server for tests and the demo, on a loopback port.

It does what an EHR's Bulk Data endpoint does, strictly enough to catch client mistakes:
`.well-known/smart-configuration`; a token endpoint that verifies the SMART Backend Services
client assertion against the registered public key (RS384/ES384, iss = sub = client id,
aud = token URL, exp at most five minutes ahead, jti never reused); `Group/[id]/$export`
that requires the bearer token and `Prefer: respond-async`; a status URL that answers 202 with
`Retry-After` a configurable number of times before the manifest; token-protected downloads.
Resources are served as given (filtered by `meta.lastUpdated` against `_since`).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

ALGORITHMS = ["RS384", "ES384"]


class FakeBulkServer:
    def __init__(self, client_id: str, public_key_pem: bytes, group_id: str = "panel",
                 resources: list[dict[str, Any]] | None = None, polls_before_ready: int = 2,
                 retry_after: int = 1, static_token: str | None = None) -> None:
        self.client_id, self.public_key_pem, self.group_id = client_id, public_key_pem, group_id
        self.resources = list(resources or [])
        self.polls_before_ready, self.retry_after = polls_before_ready, retry_after
        self.static_token = static_token
        self.tokens: set[str] = set()
        self.seen_jti: set[str] = set()
        self.jobs: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str]] = []
        self.token_failures_to_inject = 0
        self._server: ThreadingHTTPServer | None = None
        self._lock = threading.Lock()

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_port}/fhir"

    @property
    def token_url(self) -> str:
        return self.base_url.rsplit("/fhir", 1)[0] + "/auth/token"

    def start(self) -> FakeBulkServer:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # -- behaviour -------------------------------------------------------------------------
    def issue_token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            if self.token_failures_to_inject > 0:
                self.token_failures_to_inject -= 1
                return 400, {"error": "temporarily_unavailable",
                             "error_description": "try again"}
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        if form.get("client_assertion_type") != \
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
            return 400, {"error": "invalid_request", "error_description": "assertion type"}
        try:
            claims = jwt.decode(form.get("client_assertion", ""), self.public_key_pem,
                                algorithms=ALGORITHMS, audience=self.token_url,
                                issuer=self.client_id, options={"require": ["exp", "jti"]})
        except jwt.PyJWTError as exc:
            return 401, {"error": "invalid_client", "error_description": str(exc)}
        if claims.get("sub") != self.client_id:
            return 401, {"error": "invalid_client", "error_description": "sub is not client id"}
        if claims["exp"] > time.time() + 300 + 5:
            return 401, {"error": "invalid_client", "error_description": "exp too far ahead"}
        with self._lock:
            if claims["jti"] in self.seen_jti:
                return 401, {"error": "invalid_client", "error_description": "jti reused"}
            self.seen_jti.add(claims["jti"])
            token = secrets.token_urlsafe(24)
            self.tokens.add(token)
        return 200, {"access_token": token, "token_type": "bearer", "expires_in": 300,
                     "scope": form.get("scope", "")}

    def authorised(self, header: str | None) -> bool:
        scheme, _, token = (header or "").partition(" ")
        return scheme.lower() == "bearer" and (token in self.tokens or (
            self.static_token is not None and token == self.static_token))

    def kick_off(self, query: dict[str, str]) -> str:
        job = secrets.token_hex(8)
        since = query.get("_since")
        types = set(filter(None, (query.get("_type") or "").split(",")))
        chosen = [r for r in self.resources if (not types or r["resourceType"] in types)
                  and (not since or (r.get("meta") or {}).get("lastUpdated", "9999") > since)]
        with self._lock:
            self.jobs[job] = {"polls": 0, "resources": chosen, "since": since,
                              "time": datetime.now(timezone.utc).isoformat()}
        return job

    def manifest(self, job: str) -> dict[str, Any]:
        info = self.jobs[job]
        by_type: dict[str, list[dict[str, Any]]] = {}
        for r in info["resources"]:
            by_type.setdefault(r["resourceType"], []).append(r)
        root = self.base_url.rsplit("/fhir", 1)[0]
        return {"transactionTime": info["time"], "request": f"{self.base_url}/Group/"
                f"{self.group_id}/$export", "requiresAccessToken": True,
                "output": [{"type": t, "url": f"{root}/files/{job}/{t}.ndjson"}
                           for t in sorted(by_type)], "error": []}

    def file(self, job: str, name: str) -> str | None:
        info = self.jobs.get(job)
        if info is None:
            return None
        rtype = name.split(".")[0]
        return "".join(json.dumps(r) + "\n" for r in info["resources"]
                       if r["resourceType"] == rtype)


def _handler(server: FakeBulkServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None,
                  content_type: str = "application/json") -> None:
            data = b"" if body is None else (
                body.encode() if isinstance(body, str) else json.dumps(body).encode())
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def _outcome(self, status: int, text: str) -> None:
            self._send(status, {"resourceType": "OperationOutcome", "issue": [
                {"severity": "error", "code": "security" if status in (401, 403) else "invalid",
                 "diagnostics": text}]})

        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            server.requests.append(("POST", parts.path))
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if parts.path == "/auth/token":
                status, body = server.issue_token(form)
                self._send(status, body)
            else:
                self._outcome(404, "not found")

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            server.requests.append(("GET", parts.path))
            if parts.path == "/fhir/.well-known/smart-configuration":
                self._send(200, {"token_endpoint": server.token_url,
                                 "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                                 "token_endpoint_auth_signing_alg_values_supported": ALGORITHMS})
                return
            if not server.authorised(self.headers.get("Authorization")):
                self._outcome(401, "a valid bearer token is required")
                return
            if parts.path == f"/fhir/Group/{server.group_id}/$export":
                if self.headers.get("Prefer") != "respond-async":
                    self._outcome(400, "Prefer: respond-async is required")
                    return
                job = server.kick_off(query)
                self._send(202, None, {"Content-Location":
                                       f"{server.base_url.rsplit('/fhir', 1)[0]}/status/{job}"})
            elif parts.path.startswith("/status/"):
                job = parts.path.rsplit("/", 1)[1]
                info = server.jobs.get(job)
                if info is None:
                    self._outcome(404, "no such export")
                elif info["polls"] < server.polls_before_ready:
                    info["polls"] += 1
                    self._send(202, None, {"Retry-After": str(server.retry_after),
                                           "X-Progress": "in progress"})
                else:
                    self._send(200, server.manifest(job))
            elif parts.path.startswith("/files/"):
                _, _, job, name = parts.path.split("/", 3)
                text = server.file(job, name)
                if text is None:
                    self._outcome(404, "no such file")
                else:
                    self._send(200, text, content_type="application/fhir+ndjson")
            else:
                self._outcome(404, "not found")

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

    return Handler
