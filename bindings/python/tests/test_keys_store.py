"""load_or_create_key on real files, and signers implemented in Python (pyca/cryptography)."""

from __future__ import annotations

import json
import multiprocessing
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mcp_attest as ma
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

PEM_ENV = "MCP_ATTEST_PRIVATE_KEY_PEM"
PATH_ENV = "MCP_ATTEST_PRIVATE_KEY_PATH"


def quiet(messages: list[str]) -> Any:
    return messages.append


# --- load_or_create_key ---------------------------------------------------------------------


def test_constants_are_the_documented_names() -> None:
    assert ma.PRIVATE_KEY_PEM_ENV == PEM_ENV
    assert ma.PRIVATE_KEY_PATH_ENV == PATH_ENV


def test_first_start_creates_a_0600_file_and_warns_then_every_start_loads_it(tmp_path: Path) -> None:
    path = tmp_path / "state" / "server-key.pem"
    warnings: list[str] = []
    first = ma.load_or_create_key(path=path, env={}, on_warning=warnings.append)
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert len(warnings) == 1
    assert str(path) in warnings[0] and PEM_ENV in warnings[0]
    assert first.verifying_key().to_did_key() in warnings[0]
    assert "PRIVATE KEY" not in warnings[0]
    # No temporary file left behind.
    assert sorted(p.name for p in path.parent.iterdir()) == ["server-key.pem"]

    again: list[str] = []
    second = ma.load_or_create_key(path=path, env={}, on_warning=again.append)
    assert second.verifying_key() == first.verifying_key()
    assert again == []
    assert ma.SigningKey.from_pkcs8_pem(path.read_text()).verifying_key() == first.verifying_key()


@pytest.mark.parametrize(
    "form",
    [
        lambda pem: pem,
        lambda pem: '"' + pem.replace("\n", "\\n") + '"',
        lambda pem: "'" + pem.replace("\n", "\\n") + "'",
        lambda pem: pem.replace("\n", "\r\n"),
        lambda pem: pem.replace("\n", "\\n"),
    ],
)
def test_the_environment_pem_wins_in_the_forms_env_files_produce(tmp_path: Path, form: Any) -> None:
    key = ma.SigningKey.generate()
    env = {PEM_ENV: form(key.to_pkcs8_pem())}
    got = ma.load_or_create_key(path=tmp_path / "unused.pem", env=env, on_warning=quiet([]))
    assert got.verifying_key() == key.verifying_key()
    assert not (tmp_path / "unused.pem").exists()


def test_an_invalid_or_empty_environment_pem_is_an_error_never_a_new_key(tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    with pytest.raises(ma.McpAttestError) as bad:
        ma.load_or_create_key(path=path, env={PEM_ENV: '"-----BEGIN PRIVATE KEY-----\\nnope\\n"'})
    assert bad.value.code == "malformed_pem"
    assert PEM_ENV in str(bad.value)
    with pytest.raises(ma.McpAttestError) as empty:
        ma.load_or_create_key(path=path, env={PEM_ENV: ""})
    assert empty.value.code == "key_unavailable"
    assert not path.exists()


def test_a_path_from_the_environment_must_exist(tmp_path: Path) -> None:
    missing = tmp_path / "volume-not-mounted" / "key.pem"
    with pytest.raises(ma.McpAttestError) as e:
        ma.load_or_create_key(path=tmp_path / "fallback.pem", env={PATH_ENV: str(missing)})
    assert e.value.code == "key_unavailable"
    assert str(missing) in str(e.value)
    assert not missing.exists() and not (tmp_path / "fallback.pem").exists()

    key = ma.SigningKey.generate()
    present = tmp_path / "present.pem"
    present.write_text(key.to_pkcs8_pem())
    present.chmod(0o644)
    warnings: list[str] = []
    got = ma.load_or_create_key(env={PATH_ENV: str(present)}, on_warning=warnings.append)
    assert got.verifying_key() == key.verifying_key()
    assert any("chmod 600" in w for w in warnings)


def test_nothing_configured_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ma.McpAttestError) as e:
        ma.load_or_create_key(env={})
    assert e.value.code == "key_unavailable"


def test_a_file_holding_garbage_is_refused_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    path.write_bytes(b"\xff\xfe not a key")
    with pytest.raises(ma.McpAttestError) as e:
        ma.load_or_create_key(path=path, env={})
    assert e.value.code == "malformed_pem"
    assert path.read_bytes() == b"\xff\xfe not a key"


def test_a_world_writable_directory_is_refused(tmp_path: Path) -> None:
    d = tmp_path / "open"
    d.mkdir()
    d.chmod(0o777)
    with pytest.raises(ma.McpAttestError) as e:
        ma.load_or_create_key(path=d / "key.pem", env={})
    assert e.value.code == "unsafe_directory"
    assert list(d.iterdir()) == []


def _load_in_child(path: str, out: Any) -> None:
    out.put(ma.load_or_create_key(path=path, env={}, on_warning=lambda _: None).verifying_key().to_did_key())


def test_processes_starting_at_once_end_up_with_one_key(tmp_path: Path) -> None:
    path = str(tmp_path / "race" / "key.pem")
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_load_in_child, args=(path, out)) for _ in range(6)]
    for p in procs:
        p.start()
    dids = {out.get(timeout=60) for _ in procs}
    for p in procs:
        p.join(timeout=60)
    assert len(dids) == 1
    assert ma.load_or_create_key(path=path, env={}).verifying_key().to_did_key() in dids


# --- signers implemented in Python ----------------------------------------------------------


class PycaSigner:
    """A key the library never sees: pyca/cryptography holds it, as a KMS client would."""

    def __init__(self) -> None:
        self._key = Ed25519PrivateKey.generate()
        self.public_key = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.calls = 0

    def sign(self, data: bytes) -> bytes:
        self.calls += 1
        return self._key.sign(data)


class Throwing:
    def __init__(self) -> None:
        self.public_key = ma.SigningKey.generate().verifying_key().to_did_key()

    def sign(self, data: bytes) -> bytes:
        raise ConnectionError("KMS endpoint unreachable")


class WrongKey:
    def __init__(self) -> None:
        self.public_key = ma.SigningKey.generate().verifying_key()
        self._other = ma.SigningKey.generate()

    def sign(self, data: bytes) -> bytes:
        return self._other.sign(data)


class Short:
    public_key = ma.SigningKey.generate().verifying_key().to_bytes()

    def sign(self, data: bytes) -> bytes:
        return b"\x00" * 10


def test_a_python_signer_signs_everything_a_key_signs() -> None:
    s = PycaSigner()
    vk = ma.VerifyingKey.from_bytes(s.public_key)
    assert isinstance(s, ma.Signer)

    token = ma.issue_self_passport(s, ma.McpInfo("srv"))
    assert ma.verify_passport(token, subject=vk).subject == vk.to_did_key()
    jws = ma.sign_jws(s, {"a": 1}, typ="x")
    ma.parse_jws(jws).verify(vk)
    lst = ma.sign_tools_list(s, {"tools": [{"name": "t", "inputSchema": {"type": "object"}}]})
    assert ma.verify_tools_list(lst, vk).verified
    ma.verify_tool(ma.sign_tool(s, {"name": "t", "inputSchema": {"type": "object"}}), vk)
    assert ma.verify_identity_document(ma.identity_document(s)).key == vk
    rl = ma.issue_revocation_list(
        s, "did:web:x", [ma.RevocationEntry.for_did("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")]
    )
    assert ma.RevocationList.verify(rl, [ma.TrustedIssuer("did:web:x", vk)]).issuer == "did:web:x"
    responder = ma.ChallengeResponder(vk.kid())
    req = ma.ChallengeRequest()
    resp = responder.respond(s, req.to_json())
    ma.verify_challenge_response(req, resp, vk)

    server = ma.ServerPresentation(s, name="srv")
    assert server.did == vk.to_did_key()
    assert server.passport() is not None
    signed = server.sign_tools_list({"tools": [{"name": "t", "inputSchema": {"type": "object"}}]})
    assert ma.verify_tools_list(json.dumps(signed), vk).verified
    assert s.calls >= 10


@pytest.mark.parametrize("signer", [Throwing(), WrongKey(), Short()], ids=["raises", "wrong-key", "short"])
def test_a_failing_or_lying_signer_is_signer_failed_never_a_token(signer: Any) -> None:
    calls: list[Callable[[], object]] = [
        lambda: ma.issue_self_passport(signer, ma.McpInfo("srv")),
        lambda: ma.sign_jws(signer, {}),
        lambda: ma.sign_tools_list(signer, {"tools": []}),
        lambda: ma.identity_document(signer),
        lambda: ma.ServerPresentation(signer, name="srv").passport(),
    ]
    for call in calls:
        with pytest.raises(ma.McpAttestError) as e:
            call()
        assert e.value.code == "signer_failed"
    if isinstance(signer, Throwing):
        with pytest.raises(ma.McpAttestError) as e:
            ma.sign_jws(signer, {})
        assert "ConnectionError" in str(e.value) and "unreachable" in str(e.value)


def test_an_object_that_is_no_signer_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        ma.sign_jws(object(), {})  # type: ignore[arg-type]

    class NoKey:
        public_key = b"\x01" * 31

        def sign(self, data: bytes) -> bytes:
            return b""

    with pytest.raises(ma.McpAttestError) as e:
        ma.sign_jws(NoKey(), {})
    assert e.value.code == "invalid_key_length"


class SlowSigner(PycaSigner):
    """A KMS round trip: releases the GIL while waiting, as network I/O does."""

    def sign(self, data: bytes) -> bytes:
        time.sleep(0.01)
        return super().sign(data)


def test_a_signer_that_releases_the_gil_does_not_deadlock_other_threads() -> None:
    s = SlowSigner()
    vk = ma.VerifyingKey.from_bytes(s.public_key)
    server = ma.ServerPresentation(s, name="srv")
    responder = ma.ChallengeResponder(vk.kid())
    tools = {"tools": [{"name": f"t{i}", "inputSchema": {"type": "object"}} for i in range(5)]}
    errors: list[BaseException] = []

    def run(f: Callable[[], object]) -> None:
        try:
            for _ in range(5):
                f()
        except BaseException as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    jobs: list[Callable[[], object]] = [
        lambda: server.sign_tools_list(tools),
        lambda: server.passport(),
        lambda: server.identity_get(),
        lambda: responder.respond(s, ma.ChallengeRequest().to_json()),
        lambda: responder.cache_len(),
    ]
    threads = [threading.Thread(target=run, args=(j,), daemon=True) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "deadlock: a thread is still waiting"
    assert errors == []
