"""End to end: the Python adapter's server and client over real transports (no mocks)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from mcp.shared.exceptions import MCPError

import mcp_attest as mi
from mcp_attest.mcp import ListChangedWatcher, Policy, challenge_server, verified_tools, verify_server

from conftest import SEED_A, SEED_B

pytestmark = pytest.mark.anyio

KEY_A = mi.SigningKey.from_bytes(bytes.fromhex(SEED_A)).verifying_key()


def policy(store: mi.TrustStore | None = None, **kw: Any) -> Policy:
    return Policy(trust_store=store if store is not None else mi.TrustStore(), server_id="test-server", **kw)


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_honest_server_verifies(connect: Any, mode: str) -> None:
    async with connect(mode=mode) as client:
        r = await verify_server(client, policy())
        assert r.verified, r
        assert r.server_did == KEY_A.to_did_key()
        assert r.passport is not None and r.passport.subject == r.server_did
        assert r.challenge == "verified" and r.manifest_status == "verified"
        assert sorted(r.verified_names()) == ["add", "echo", "rug_pull"]
        assert r.rejected == ()
        assert [t.name for t in await verified_tools(client, policy())] == r.verified_names()
        # the hints survive too
        caps = client.server_capabilities
        assert caps.experimental is not None and "org.mcp-attest/identity" in caps.experimental


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_lowlevel_server_verifies(connect: Any, mode: str) -> None:
    async with connect(server="lowlevel", mode=mode) as client:
        r = await verify_server(client, policy())
        assert r.verified, r
        assert sorted(r.verified_names()) == ["add", "echo"]
        out = await client.call_tool("echo", {"text": "hi"})
        assert not out.is_error


async def test_description_changed_after_signing_rejected(connect: Any) -> None:
    async with connect(tamper="description") as client:
        r = await verify_server(client, policy())
        assert not r.verified
        assert "echo" not in r.verified_names()
        [rej] = r.rejected
        assert (rej.name, rej.status, rej.code) == ("echo", "tampered", "manifest_mismatch")
        # the same with per-tool signatures checked as an ext-auth-only verifier would
        r = await verify_server(client, policy(tool_signatures="always"))
        assert [(x.name, x.status, x.code) for x in r.rejected] == [("echo", "tampered", "invalid_signature")]


async def test_tool_added_without_signature_flagged(connect: Any) -> None:
    async with connect(tamper="unsigned-tool") as client:
        r = await verify_server(client, policy())
        assert not r.verified
        assert [(x.name, x.status, x.code) for x in r.rejected] == [("sneaky", "unsigned", "missing_signature")]
        assert "sneaky" not in r.verified_names()


async def test_rug_pull_after_list_changed_caught(connect: Any) -> None:
    watcher = ListChangedWatcher()
    async with connect(mode="legacy", message_handler=watcher.handler) as client:
        first = await verify_server(client, policy())
        assert first.verified
        await client.call_tool("rug_pull", {})
        assert await watcher.wait(10), "no notifications/tools/list_changed"
        second = await verify_server(client, policy(), previous=first)
        assert not second.verified
        assert [(x.name, x.status, x.code) for x in second.rejected] == [("echo", "changed", "tool_changed")]
        assert "echo" not in second.verified_names()


async def test_rug_pull_after_listen_event_caught_2026(connect: Any) -> None:
    async with connect(mode="2026-07-28") as client:
        first = await verify_server(client, policy())
        assert first.verified
        async with client.listen(tools_list_changed=True) as sub:
            await client.call_tool("rug_pull", {})
            with anyio.fail_after(10):
                async for _event in sub:
                    break
        second = await verify_server(client, policy(), previous=first)
        assert [(x.name, x.status, x.code) for x in second.rejected] == [("echo", "changed", "tool_changed")]


async def test_rug_pull_caught_on_relist_any_era(connect: Any) -> None:
    async with connect() as client:
        first = await verify_server(client, policy())
        await client.call_tool("rug_pull", {})
        second = await verify_server(client, policy(), previous=first)
        assert [(x.name, x.code) for x in second.rejected] == [("echo", "tool_changed")]


async def test_pinned_key_change_refused(connect: Any) -> None:
    store = mi.TrustStore()
    async with connect(seed=SEED_A) as client:
        assert (await verify_server(client, policy(store))).verified
    async with connect(seed=SEED_B) as client:
        r = await verify_server(client, policy(store))
        assert not r.verified and r.code == "pinned_key_changed"
        assert r.tools == () and {x.code for x in r.rejected} == {"pinned_key_changed"}
    # a configured key refuses the same way
    async with connect(seed=SEED_B) as client:
        r = await verify_server(client, Policy(expected_key=KEY_A))
        assert not r.verified and r.tools == ()


async def test_expired_passport_refused(connect: Any) -> None:
    async with connect(passport="expired") as client:
        r = await verify_server(client, policy())
        assert not r.verified and r.code == "token_expired" and r.tools == ()


async def test_missing_passport_refused(connect: Any) -> None:
    async with connect(passport="none") as client:
        r = await verify_server(client, policy())
        assert not r.verified and r.code == "missing_passport" and r.tools == ()


async def test_revoked_key_refused(connect: Any) -> None:
    issuer = mi.SigningKey.from_bytes(b"\x09" * 32)
    store = mi.TrustStore()
    store.add_issuer(mi.TrustedIssuer.from_did_key(issuer.to_did_key()))
    token = mi.issue_revocation_list(issuer, issuer.to_did_key(), [mi.RevocationEntry.for_key(KEY_A, reason="compromised")])
    assert store.add_revocation_list(token)
    async with connect() as client:
        # The store names a trusted issuer, so self-issued passports are refused by default.
        r = await verify_server(client, policy(store))
        assert not r.verified and r.code == "untrusted_issuer" and r.tools == ()
        # Opted back in, the server's key is found on the issuer's revocation list.
        r = await verify_server(client, policy(store, allow_self_issued=True))
        assert not r.verified and r.code == "revoked" and r.tools == ()


async def test_replayed_challenge_refused(connect: Any) -> None:
    async with connect() as client:
        req = await challenge_server(client, KEY_A)
        with pytest.raises(MCPError) as ei:
            await challenge_server(client, KEY_A, request=req)
        assert ei.value.code == -32002
        assert ei.value.data["reason"] == "replayed_nonce"
        # a stale timestamp answers with data.reason, which is what clients decide on
        stale = mi.ChallengeRequest(b"\x05" * 32, now=1_000_000_000)
        with pytest.raises(MCPError) as ei:
            await challenge_server(client, KEY_A, request=stale)
        assert ei.value.data["reason"] == "stale_timestamp"


# --- bad input: reported unverified with a code, never a crash, never passed through ---------


async def test_malformed_meta(connect: Any) -> None:
    async with connect(tamper="bad-meta") as client:
        r = await verify_server(client, policy())
        assert not r.verified and r.tools == ()
        assert r.code == "malformed_manifest"
        assert all(x.code for x in r.rejected)


async def test_oversized_signatures(connect: Any) -> None:
    async with connect(tamper="big-signature") as client:
        r = await verify_server(client, policy())
        assert not r.verified and r.tools == () and r.code is not None
        assert all(x.code for x in r.rejected)


async def test_manifest_for_other_tools(connect: Any) -> None:
    async with connect(tamper="foreign-manifest") as client:
        r = await verify_server(client, policy())
        assert not r.verified and r.tools == ()
        statuses = {(x.name, x.status) for x in r.rejected}
        assert ("echo", "not_in_manifest") in statuses and ("other", "missing_from_list") in statuses


async def test_challenge_response_for_another_nonce(connect: Any) -> None:
    store = mi.TrustStore()
    async with connect(tamper="wrong-nonce") as client:
        r = await verify_server(client, policy(store))
        assert not r.verified and r.challenge == "failed" and r.code == "invalid_signature" and r.tools == ()
    # A server that cannot prove possession of its key gets no first-use pin.
    assert store.pinned("test-server") is None


async def test_malformed_challenge_response(connect: Any) -> None:
    async with connect(tamper="bad-challenge") as client:
        r = await verify_server(client, policy())
        assert not r.verified and r.challenge == "failed" and r.code == "malformed_identity" and r.tools == ()


async def test_result_meta_not_an_object(connect: Any) -> None:
    async with connect(tamper="meta-not-object") as client:
        r = await verify_server(client, policy())
        assert not r.verified and r.tools == () and r.code is not None


async def test_http_identity_header_hint() -> None:
    import httpx2

    from conftest import _http_server, _server_args

    seen: list[str] = []

    async def hook(response: httpx2.Response) -> None:
        if "x-ai-identity" in response.headers:
            seen.append(response.headers["x-ai-identity"])

    from mcp.client.streamable_http import streamable_http_client
    from mcp import Client

    async with _http_server(_server_args(SEED_A, "none", "self")) as url:
        async with httpx2.AsyncClient(event_hooks={"response": [hook]}) as http:
            async with Client(streamable_http_client(url, http_client=http)) as client:
                r = await verify_server(client, policy())
                assert r.verified
    assert seen and seen[0].startswith(f"did={KEY_A.to_did_key()};")
