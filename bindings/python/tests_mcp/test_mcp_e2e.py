"""End to end: the adapter's server and client (mcp 2.x) over stdio and Streamable HTTP, each
test against a real server process (tests_mcp/server.py); no mocks. The verdicts are the
core's report: these tests check that the adapter carries every message both ways."""

from __future__ import annotations

import json
from typing import Any

import anyio
import mcp_attest as mi
import pytest
from conftest import SEED_A, SEED_B
from mcp.shared.exceptions import MCPError
from mcp_attest.mcp import ListChangedWatcher, verified_tools, verify_server, watch_server
from mcp_attest.mcp._client import _RawRequest, _RawResult

pytestmark = pytest.mark.anyio

KEY_A = mi.SigningKey.from_bytes(bytes.fromhex(SEED_A)).verifying_key()
KEY_B = mi.SigningKey.from_bytes(bytes.fromhex(SEED_B)).verifying_key()
ID = "test-server"


def refused(r: mi.ServerReport) -> list[tuple[str | None, str, str | None]]:
    return [(t.name, t.status, t.code) for t in r.tools if t.status != "verified"]


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_honest_server_verifies(connect: Any, mode: str) -> None:
    store = mi.TrustStore()
    async with connect(mode=mode) as client:
        r = await verify_server(client, trust_store=store, server_id=ID)
        assert r.verified, r.json
        assert r.server is not None and r.server["did"] == KEY_A.to_did_key()
        assert r.passport is not None and r.passport["selfIssued"] is True
        assert (r.challenge, r.pin, r.code) == ("verified", "first_use", None)
        assert sorted(r.verified_names) == ["add", "echo", "rug_pull"]
        # The store was written back: pinned, and the tools accepted.
        assert store.pinned(ID) is not None and store.pinned(ID).key == KEY_A  # type: ignore[union-attr]
        tools = await verified_tools(client, trust_store=store, server_id=ID)
        assert sorted(t["name"] for t in tools) == sorted(r.verified_names)
        assert all("inputSchema" in t for t in tools), "raw wire tools, not SDK models"
        caps = client.server_capabilities
        assert (
            caps.experimental is not None and caps.experimental["org.mcp-attest/identity"]["did"] == KEY_A.to_did_key()
        )


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_lowlevel_server_verifies(connect: Any, mode: str) -> None:
    async with connect(server="lowlevel", mode=mode) as client:
        r = await verify_server(client)
        assert r.verified, r.json
        assert sorted(r.verified_names) == ["add", "echo"]
        assert not (await client.call_tool("echo", {"text": "hi"})).is_error


async def test_paginated_server_verifies(connect: Any) -> None:
    # Bug #11: the old adapter merged every page under page 1's `_meta` (not_in_manifest).
    async with connect(server="paginated") as client:
        r = await verify_server(client)
        assert r.verified, r.json
        assert r.pages == (2, 2, 1)
        assert sorted(r.verified_names) == [f"tool{i}" for i in range(5)]


@pytest.mark.parametrize("tamper", ["drop-page", "repeat-page"])
async def test_dropped_or_repeated_page_refused(connect: Any, tamper: str) -> None:
    async with connect(server="paginated", tamper=tamper) as client:
        r = await verify_server(client)
        assert not r.verified and r.verified_names == ()
        assert r.code == "manifest_mismatch", r.json


async def test_rotation_moves_the_pin(connect: Any) -> None:
    store = mi.TrustStore()
    async with connect(seed=SEED_A) as client:
        assert (await verify_server(client, trust_store=store, server_id=ID)).pin == "first_use"
    # Restarted with a new key and a rotation attestation signed by the old one.
    async with connect(seed=SEED_B, rotate_from=SEED_A) as client:
        r = await verify_server(client, trust_store=store, server_id=ID)
        assert r.verified and r.pin == "rotated", r.json
        assert r.rotations and r.rotations[0]["verified"] is True
    assert store.pinned(ID).key == KEY_B  # type: ignore[union-attr]


async def test_pinned_key_change_refused(connect: Any) -> None:
    store = mi.TrustStore()
    async with connect(seed=SEED_A) as client:
        assert (await verify_server(client, trust_store=store, server_id=ID)).verified
    async with connect(seed=SEED_B) as client:
        r = await verify_server(client, trust_store=store, server_id=ID)
        assert not r.verified and (r.code, r.pin) == ("pinned_key_changed", "changed")
        assert r.verified_names == ()
    assert store.pinned(ID).key == KEY_A  # type: ignore[union-attr]
    # A configured key refuses the same way.
    async with connect(seed=SEED_B) as client:
        r = await verify_server(client, expected_key=KEY_A)
        assert not r.verified and r.code == "pinned_key_changed"


async def test_rug_pull_after_list_changed(connect: Any) -> None:
    store = mi.TrustStore()
    watcher = ListChangedWatcher()
    async with connect(mode="legacy", message_handler=watcher.handler) as client:
        assert (await verify_server(client, trust_store=store, server_id=ID)).verified
        await client.call_tool("rug_pull", {})
        assert await watcher.wait(10), "no notifications/tools/list_changed"
        r = await verify_server(client, trust_store=store, server_id=ID)
        assert not r.verified
        assert refused(r) == [("echo", "changed", "tool_changed")]
        [echo] = [t for t in r.tools if t.name == "echo"]
        # The swapped function also renames the SDK's schema titles.
        assert echo.changed_fields == ("description", "inputSchema", "outputSchema")
        assert r.changes is not None
        assert [(c["name"], c["fields"]) for c in r.changes["changed"]] == [("echo", list(echo.changed_fields))]


async def test_watch_server_reports_each_change_2026(connect: Any) -> None:
    store = mi.TrustStore()
    reports: list[mi.ServerReport] = []
    async with connect(mode="2026-07-28") as client:
        async with anyio.create_task_group() as tg:
            tg.start_soon(lambda: watch_server(client, reports.append, trust_store=store, server_id=ID))
            with anyio.fail_after(15):
                while not reports:
                    await anyio.sleep(0.05)
                await client.call_tool("rug_pull", {})
                while len(reports) < 2:
                    await anyio.sleep(0.05)
            tg.cancel_scope.cancel()
    assert reports[0].verified
    assert refused(reports[1]) == [("echo", "changed", "tool_changed")]


async def test_removed_then_readded_changed_tool_refused(connect: Any) -> None:
    # Bug #11: the old adapter compared with the previous verdict only, so a tool removed in
    # one listing and brought back changed in the next passed as new.
    store = mi.TrustStore()
    async with connect(readd=True) as client:
        assert (await verify_server(client, trust_store=store, server_id=ID)).verified
        await client.call_tool("remove_echo", {})
        gone = await verify_server(client, trust_store=store, server_id=ID)
        assert gone.verified and "echo" not in gone.verified_names
        assert gone.changes is not None and gone.changes["removed"] == ["echo"]
        await client.call_tool("readd_echo", {})
        back = await verify_server(client, trust_store=store, server_id=ID)
        assert not back.verified and refused(back) == [("echo", "changed", "tool_changed")]


async def test_description_changed_after_signing_refused(connect: Any) -> None:
    async with connect(tamper="description") as client:
        r = await verify_server(client)
        assert not r.verified and "echo" not in r.verified_names
        assert refused(r) == [("echo", "tampered", "manifest_mismatch")]
        r = await verify_server(client, tool_signatures="always")
        assert refused(r) == [("echo", "tampered", "invalid_signature")]


async def test_tool_added_without_signature_refused(connect: Any) -> None:
    async with connect(tamper="unsigned-tool") as client:
        r = await verify_server(client)
        assert not r.verified and "sneaky" not in r.verified_names
        assert [x[0] for x in refused(r)] == ["sneaky"]


async def test_expired_passport_refused(connect: Any) -> None:
    async with connect(passport="expired") as client:
        r = await verify_server(client)
        assert not r.verified and r.code == "token_expired" and r.verified_names == ()


async def test_missing_passport_refused(connect: Any) -> None:
    async with connect(passport="none") as client:
        r = await verify_server(client)
        assert not r.verified and r.code == "missing_passport"
        # Without requiring one, identity/get and the challenge carry the server.
        assert (await verify_server(client, require_passport=False)).verified


async def test_no_identity_at_all(connect: Any) -> None:
    async with connect(server="plain") as client:
        r = await verify_server(client)
        assert not r.verified and r.code == "no_identity"
        assert [(t.name, t.status) for t in r.tools] == [("echo", "server_unverified")]
        assert await verified_tools(client) == []


async def test_revoked_key_refused(connect: Any) -> None:
    issuer = mi.SigningKey.from_bytes(b"\x09" * 32)
    store = mi.TrustStore()
    store.add_issuer(mi.TrustedIssuer.from_did_key(issuer.to_did_key()))
    token = mi.issue_revocation_list(
        issuer, issuer.to_did_key(), [mi.RevocationEntry.for_key(KEY_A, reason="compromised")]
    )
    assert store.add_revocation_list(token)
    async with connect() as client:
        r = await verify_server(client, trust_store=store, server_id=ID)
        assert not r.verified and r.code == "untrusted_issuer"
        r = await verify_server(client, trust_store=store, server_id=ID, allow_self_issued=True)
        assert not r.verified and r.code == "revoked"


async def _challenge(client: Any, params: dict[str, Any]) -> dict[str, Any]:
    out = await client.session.send_request(_RawRequest(method="identity/challenge", params=params), _RawResult)
    result: dict[str, Any] = out.root
    return result


async def test_replayed_challenge_refused(connect: Any) -> None:
    async with connect() as client:
        params = json.loads(mi.ChallengeRequest().to_json())
        answer = await _challenge(client, params)
        assert set(answer) >= {"kid", "signature"}
        with pytest.raises(MCPError) as ei:
            await _challenge(client, params)
        assert ei.value.code == -32002 and ei.value.data["reason"] == "replayed_nonce"
        stale = json.loads(mi.ChallengeRequest(b"\x05" * 32, now=1_000_000_000).to_json())
        with pytest.raises(MCPError) as ei:
            await _challenge(client, stale)
        assert ei.value.data["reason"] == "stale_timestamp"


async def test_challenge_answer_for_another_nonce(connect: Any) -> None:
    store = mi.TrustStore()
    async with connect(tamper="wrong-nonce") as client:
        r = await verify_server(client, trust_store=store, server_id=ID)
        assert not r.verified and (r.challenge, r.code) == ("failed", "invalid_signature")
    # A server that cannot prove possession of its key gets no first-use pin.
    assert store.pinned(ID) is None


# --- bad input: reported unverified with a code, never a crash -------------------------------


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        ("bad-meta", "malformed_attestation"),
        ("big-signature", "malformed_attestation"),
        ("foreign-manifest", "manifest_mismatch"),
        ("bad-challenge", "malformed_identity"),
        # The SDK itself refuses a result whose `_meta` is no object: no tools/list result.
        ("meta-not-object", "malformed_tool_definition"),
    ],
)
async def test_malformed_server_output(connect: Any, tamper: str, code: str) -> None:
    async with connect(tamper=tamper) as client:
        r = await verify_server(client)
        assert not r.verified and r.verified_names == ()
        assert r.code == code, r.json


async def test_http_identity_header_hint() -> None:
    import httpx2
    from conftest import _http_server, _server_args
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    seen: list[str] = []

    async def hook(response: httpx2.Response) -> None:
        if "mcp-attest-identity" in response.headers:
            seen.append(response.headers["mcp-attest-identity"])

    async with _http_server(_server_args(SEED_A, "none", "self")) as url:
        async with httpx2.AsyncClient(event_hooks={"response": [hook]}) as http:
            async with Client(streamable_http_client(url, http_client=http)) as client:
                assert (await verify_server(client)).verified
    assert seen and seen[0] == f"did={KEY_A.to_did_key()}"
