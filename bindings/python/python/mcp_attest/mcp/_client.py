"""Client side: verify a connected server (``mcp.Client``) against a policy."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import Tool

from .. import _native as mi
from ..errors import McpAttestError
from ._common import (
    IDENTITY_KEY,
    IdentityChallengeParams,
    IdentityChallengeRequest,
    IdentityChallengeResult,
    IdentityGetParams,
    IdentityGetRequest,
    IdentityGetResult,
)

__all__ = [
    "Policy", "RejectedTool", "VerifiedServer", "ListChangedWatcher",
    "verify_server", "verified_tools", "challenge_server",
]

_MAX_PAGES = 100


@dataclass(frozen=True)
class Policy:
    """What the client requires of a server.

    ``server_id`` names the server in ``trust_store`` (pins: TOFU, a changed key is refused);
    ``expected_key`` is a configured key; ``trust_store`` also supplies trusted issuers (for
    issuer-signed passports) and revocation lists. ``allow_self_issued`` accepts self-issued
    passports (default ``None``: only when the trust store names no trusted issuer);
    ``require_challenge`` calls ``identity/challenge``.
    """

    trust_store: mi.TrustStore | None = None
    server_id: str | None = None
    expected_key: mi.VerifyingKey | None = None
    audience: str | None = None
    allow_self_issued: bool | None = None
    require_passport: bool = True
    require_challenge: bool = True
    use_identity_get: bool = True
    require_manifest: bool = True
    tool_signatures: Literal["if_no_manifest", "always"] = "if_no_manifest"
    pin: bool = True


@dataclass(frozen=True)
class RejectedTool:
    name: str | None
    status: str
    code: str | None
    message: str | None


@dataclass(frozen=True)
class VerifiedServer:
    """The verdict. ``tools`` holds only verified tools; everything else is in ``rejected``."""

    verified: bool
    server_did: str | None
    passport: mi.Passport | None
    tools: tuple[Tool, ...]
    rejected: tuple[RejectedTool, ...]
    code: str | None = None
    message: str | None = None
    manifest_status: str | None = None
    challenge: Literal["verified", "skipped", "failed"] = "skipped"
    tool_hashes: Mapping[str, str] = field(default_factory=dict)

    def verified_names(self) -> list[str]:
        return [t.name for t in self.tools]


class _Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _err(e: BaseException) -> _Refused:
    if isinstance(e, McpAttestError):
        return _Refused(e.code, str(e))
    if isinstance(e, MCPError):
        data = e.data if isinstance(e.data, Mapping) else {}
        reason = data.get("reason")
        code = data.get("code") if isinstance(data.get("code"), str) else None
        return _Refused(code or (reason if isinstance(reason, str) else f"jsonrpc_{e.code}"), e.message)
    return _Refused("malformed_identity", f"{type(e).__name__}: {e}")


async def _list_all(client: Client) -> tuple[dict[str, Any], list[Tool]]:
    """All pages of tools/list, re-fetched (never served from the SDK cache), as one wire dict."""
    tools: list[dict[str, Any]] = []
    models: list[Tool] = []
    first_meta: Any = None
    cursor: str | None = None
    for page_no in range(_MAX_PAGES):
        page = await client.list_tools(cursor=cursor, cache_mode="refresh")
        if page_no == 0:
            first_meta = page.meta
        for t in page.tools:
            models.append(t)
            tools.append(t.model_dump(by_alias=True, mode="json", exclude_none=True))
        cursor = page.next_cursor
        if cursor is None:
            break
    result: dict[str, Any] = {"tools": tools}
    if first_meta is not None:
        result["_meta"] = first_meta
    return result, models


async def challenge_server(
    client: Client, key: mi.VerifyingKey, *, kid: str | None = None, request: mi.ChallengeRequest | None = None
) -> mi.ChallengeRequest:
    """Sends ``identity/challenge`` (a fresh 32-byte nonce unless ``request`` is given) and checks
    the answer under ``key``. Raises ``McpAttestError`` or ``MCPError`` (decide on ``data.reason``)."""
    req = request if request is not None else mi.ChallengeRequest(os.urandom(32))
    params = IdentityChallengeParams.model_validate(json.loads(req.to_json()))
    result = await client.session.send_request(IdentityChallengeRequest(params=params), IdentityChallengeResult)
    raw = result.model_dump(by_alias=True, mode="json", exclude_none=True)
    raw.pop("_meta", None)
    response = mi.ChallengeResponse.from_json(raw)
    mi.verify_challenge_response(req, response, key, expected_kid=kid)
    return req


async def _identity_get(client: Client) -> dict[str, Any]:
    result = await client.session.send_request(IdentityGetRequest(params=IdentityGetParams()), IdentityGetResult)
    raw: dict[str, Any] = result.model_dump(by_alias=True, mode="json", exclude_none=True)
    raw.pop("_meta", None)
    return raw


def _refuse_all(wire_tools: list[dict[str, Any]], code: str, message: str, **kw: Any) -> VerifiedServer:
    rejected = tuple(
        RejectedTool(t.get("name") if isinstance(t.get("name"), str) else None, "server_unverified", code, message)
        for t in wire_tools
    )
    return VerifiedServer(False, kw.pop("did", None), kw.pop("passport", None), (), rejected, code, message, **kw)


async def verify_server(
    client: Client, policy: Policy | None = None, *, previous: VerifiedServer | None = None
) -> VerifiedServer:
    """Lists the tools (keeping `_meta`), resolves and checks the server key (configured key, pin,
    passport, ``identity/get``; revocation through the trust store), optionally challenges it and
    verifies every tool. Never raises for what a server sends: every failure is a code.

    ``previous``: an earlier verdict for the same server (e.g. before
    ``notifications/tools/list_changed``); a tool whose content changed since is rejected
    (``tool_changed``): a rug pull.
    """
    policy = policy or Policy()
    store = policy.trust_store
    try:
        wire, models = await _list_all(client)
    except Exception as e:  # noqa: BLE001 - a server's answer is never allowed to crash the client
        r = _err(e) if isinstance(e, (McpAttestError, MCPError)) else _Refused(
            "malformed_tool_definition", f"tools/list could not be read: {type(e).__name__}: {e}"[:500]
        )
        return VerifiedServer(False, None, None, (), (), r.code, r.message)
    wire_tools = wire["tools"]
    passport: mi.Passport | None = None
    did: str | None = None
    challenge_state: Literal["verified", "skipped", "failed"] = "skipped"
    try:
        meta = wire.get("_meta")
        ours = meta.get(IDENTITY_KEY) if isinstance(meta, Mapping) else None
        token = ours.get("passport") if isinstance(ours, Mapping) else None
        revocations = store.revocation_lists() if store is not None else None
        key = policy.expected_key
        if token is not None:
            if not isinstance(token, str):
                raise _Refused("malformed_token", "the passport is not a string")
            passport = mi.verify_passport(
                token,
                audience=policy.audience,
                issuers=store.issuers() if store is not None else None,
                allow_self_issued=policy.allow_self_issued,
                revocations=revocations,
                subject=key,
            )
            key = passport.subject_key
        elif policy.require_passport:
            raise _Refused("missing_passport", "the tools/list result carries no passport")
        kid: str | None = None
        if policy.use_identity_get:
            doc = await _identity_get(client)
            ident = mi.verify_identity_document(doc)
            if key is not None and ident.key != key:
                raise _Refused("key_mismatch", "identity/get presents another key than the passport")
            key = ident.key
            kid = ident.kid
        if key is None:
            raise _Refused("missing_key", "no key: no configured key, passport or identity document")
        did = key.to_did_key()
        if store is not None:
            store.check_revoked(key)
        if policy.require_challenge:
            challenge_state = "failed"
            try:
                await challenge_server(client, key, kid=kid)
            except MCPError as e:
                # A full replay cache is the server's passing condition: one retry with a fresh
                # challenge, decided on data.reason only (SDKs raise JSON-RPC codes locally too).
                data = e.data if isinstance(e.data, Mapping) else {}
                if data.get("reason") != "nonce_cache_full":
                    raise
                await challenge_server(client, key, kid=kid)
            challenge_state = "verified"
        # Pinned only after the challenge: a server that cannot prove possession of the key
        # must not get a first-use pin (the TypeScript adapter does the same).
        if store is not None and policy.pin and policy.server_id is not None:
            store.check_pin(policy.server_id, key)
        report = mi.verify_tools_list(
            wire,
            key,
            audience=policy.audience,
            kid=kid,
            require_manifest=policy.require_manifest,
            tool_signatures=policy.tool_signatures,
            revocations=revocations,
        )
    except Exception as e:  # noqa: BLE001
        r = e if isinstance(e, _Refused) else _err(e)
        return _refuse_all(wire_tools, r.code, r.message, did=did, passport=passport, challenge=challenge_state)

    by_name = {t.name: t for t in models}
    hashes = {t.name: t.hash for t in report.tools if t.name is not None and t.hash is not None}
    verified: list[Tool] = []
    rejected: list[RejectedTool] = []
    for t in report.tools:
        # A sound tool under a failed required manifest (core status manifest_unverified) is
        # refused below as server_unverified, with the manifest's code, like any sound tool.
        if t.status not in ("verified", "manifest_unverified") or t.name is None:
            rejected.append(RejectedTool(t.name, t.status, t.error_code, t.error_message))
        elif previous is not None and t.name in previous.tool_hashes and previous.tool_hashes[t.name] != t.hash:
            rejected.append(RejectedTool(t.name, "changed", "tool_changed",
                                         "the tool's definition changed since it was last verified (rug pull?)"))
        else:
            verified.append(by_name[t.name])
    code: str | None = None
    message: str | None = None
    if report.manifest_status != "verified" and policy.require_manifest:
        code = report.manifest_error_code or "missing_manifest"
        message = f"the tools manifest is {report.manifest_status}: no tool is passed through"
        rejected.extend(RejectedTool(t.name, "server_unverified", code, message) for t in verified)
        verified = []
    pinned_hash = passport.mcp.tools_hash if passport is not None and passport.mcp is not None else None
    if pinned_hash is not None and report.manifest_status == "verified":
        try:
            presented: str | None = mi.tools_hash(wire_tools)
        except McpAttestError:
            presented = None
        if presented != pinned_hash:
            code, message = "tools_hash_mismatch", "the tool set differs from the passport's toolsHash"
            rejected.extend(RejectedTool(t.name, "changed", code, message) for t in verified)
            verified = []
    if rejected and code is None:
        code, message = rejected[0].code, "some tools did not verify"
    return VerifiedServer(
        verified=not rejected and code is None,
        server_did=did,
        passport=passport,
        tools=tuple(verified),
        rejected=tuple(rejected),
        code=code,
        message=message,
        manifest_status=report.manifest_status,
        challenge=challenge_state,
        tool_hashes=hashes,
    )


async def verified_tools(client: Client, policy: Policy | None = None) -> list[Tool]:
    """Only the tools a model may see: those that verified (none if the server did not)."""
    return list((await verify_server(client, policy)).tools)


class ListChangedWatcher:
    """Pass ``watcher.handler`` as ``Client(message_handler=...)``; ``await watcher.wait()`` returns
    when the server sent ``notifications/tools/list_changed`` — then call ``verify_server(client,
    policy, previous=<last verdict>)`` to re-list and re-verify (a changed tool is ``tool_changed``).
    On 2026-07-28 connections list changes arrive through ``client.listen(tools_list_changed=True)``."""

    def __init__(self) -> None:
        import anyio

        self._event = anyio.Event()
        self.count = 0

    async def handler(self, message: Any) -> None:
        inner = getattr(message, "root", message)
        if getattr(inner, "method", None) == "notifications/tools/list_changed":
            self.count += 1
            self._event.set()

    async def wait(self, timeout: float = 10.0) -> bool:
        import anyio

        with anyio.move_on_after(timeout):
            await self._event.wait()
        fired = self._event.is_set()
        self._event = anyio.Event()
        return fired
