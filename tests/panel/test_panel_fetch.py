"""`panel fetch` against the local Bulk Data stand-in: signed-JWT tokens (RS384, ES384),
polling with Retry-After, downloads, _since, import; a wrong key is refused clearly."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from sqlalchemy import select

from bot.cli.main import main
from bot.devtools import fhir_samples as fx
from bot.devtools.fake_fhir import FakeBulkServer
from bot.panel.bulk_client import BulkClient, BulkDataError, FetchConfig
from bot.store.db import get_database
from bot.store.models import Patient


def pem_pair(kind: str = "rsa") -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048) if kind == "rsa" \
        else ec.generate_private_key(ec.SECP384R1())
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public


RESOURCES = [
    {**fx.patient("f1", "Fay", "One", mobile="617-555-0801"),
     "meta": {"lastUpdated": "2026-01-01T00:00:00Z"}},
    {**fx.patient("f2", "Gus", "Two", mobile="617-555-0802"),
     "meta": {"lastUpdated": "2026-03-01T00:00:00Z"}},
    {**fx.med_request("rf1", "f1", authored=date(2026, 1, 1)),
     "meta": {"lastUpdated": "2026-01-01T00:00:00Z"}},
]


@pytest.fixture()
def server() -> Iterator[tuple[FakeBulkServer, bytes]]:
    private, public = pem_pair()
    fake = FakeBulkServer("outreach-client", public, resources=RESOURCES,
                          polls_before_ready=2, retry_after=1).start()
    try:
        yield fake, private
    finally:
        fake.stop()


def test_client_authenticates_polls_with_retry_after_and_downloads(
        server: tuple[FakeBulkServer, bytes], tmp_path: Path) -> None:
    fake, private = server
    fake.token_failures_to_inject = 1  # a sporadic 400 from the token endpoint
    sleeps: list[float] = []
    client = BulkClient(FetchConfig(fake.base_url, "panel", "outreach-client", private, "k1"),
                        sleep=sleeps.append)
    result = client.fetch(tmp_path / "out")
    assert sorted(p.name for p in result.files) == ["MedicationRequest.001.ndjson",
                                                    "Patient.001.ndjson"]
    assert (tmp_path / "out" / "Patient.001.ndjson").read_text().count("\n") == 2
    assert sleeps == [1.0, 1.0, 1.0]  # one token retry, then Retry-After twice
    assert ("GET", "/fhir/.well-known/smart-configuration") in fake.requests
    assert result.transaction_time


def test_es384_keys_and_since(tmp_path: Path) -> None:
    private, public = pem_pair("ec")
    fake = FakeBulkServer("c2", public, resources=RESOURCES, polls_before_ready=0).start()
    try:
        client = BulkClient(FetchConfig(fake.base_url, "panel", "c2", private),
                            sleep=lambda s: None)
        result = client.fetch(tmp_path, since="2026-02-01T00:00:00Z")
        assert [p.name for p in result.files] == ["Patient.001.ndjson"]
        assert "Gus" in result.files[0].read_text() and "Fay" not in result.files[0].read_text()
    finally:
        fake.stop()


def test_a_wrong_key_is_refused_with_a_clear_error(
        server: tuple[FakeBulkServer, bytes], tmp_path: Path) -> None:
    fake, _ = server
    other, _ = pem_pair()
    client = BulkClient(FetchConfig(fake.base_url, "panel", "outreach-client", other),
                        sleep=lambda s: None)
    with pytest.raises(BulkDataError, match="token endpoint refused this client: HTTP 401: "
                       "invalid_client: Signature verification failed"):
        client.fetch(tmp_path)
    assert not any(path.startswith("/fhir/Group") for _, path in fake.requests)


def test_export_without_a_token_is_refused(server: tuple[FakeBulkServer, bytes],
                                           tmp_path: Path) -> None:
    fake, _ = server
    client = BulkClient(FetchConfig(fake.base_url, "panel", bearer_token="not-issued"),
                        sleep=lambda s: None)
    with pytest.raises(BulkDataError, match="kick-off refused: HTTP 401: a valid bearer"):
        client.fetch(tmp_path)


def test_cli_fetches_and_imports(server: tuple[FakeBulkServer, bytes], database_url: str,
                                 tmp_path: Path) -> None:
    fake, private = server
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(private)
    env = {"DATABASE_URL": database_url, "FHIR_BASE_URL": fake.base_url,
           "FHIR_GROUP_ID": "panel", "FHIR_CLIENT_ID": "outreach-client",
           "FHIR_PRIVATE_KEY_FILE": str(key_file), "FHIR_EXPORT_DIR": str(tmp_path / "exports"),
           "REDIS_URL": ""}
    result = CliRunner().invoke(main, ["panel", "fetch"], env=env)
    assert result.exit_code == 0, result.output
    assert "downloaded 2 file(s)" in result.output and "2 patient(s)" in result.output
    with get_database(database_url).session() as s:
        assert s.scalar(select(Patient).where(Patient.external_ref == "MRN-f2")) is not None
    again = CliRunner().invoke(main, ["panel", "fetch", "--since", "last"], env=env)
    assert again.exit_code == 0, again.output
    assert "(since 20" in again.output
    missing = CliRunner().invoke(main, ["panel", "fetch"],
                                 env={**env, "FHIR_PRIVATE_KEY_FILE": "", "FHIR_CLIENT_ID": ""})
    assert missing.exit_code != 0 and "FHIR_BEARER_TOKEN: missing" in missing.output
