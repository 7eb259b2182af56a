"""Client side: run the core's ``ClientSession`` over a connected SDK client (1.x or 2.x).

The session decides what to ask, in what order, and what the answers mean; this module sends
its requests through the SDK and hands back the raw JSON results or the JSON-RPC errors.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from mcp import types as _sdk_types
from mcp.types import Request as _SdkRequest  # the generic request base, in both SDK lines
from pydantic import RootModel, ValidationError

from .. import _native
from ..caller import CallerContext
from ..errors import _from_code
from ..key_store import Signer
from ..session import ClientSession, ServerReport
from ._common import SdkShapeError, jsonrpc_error_of

__all__ = [
    "ListChangedWatcher",
    "attach_caller_identity",
    "require_verified",
    "verified_tools",
    "verify_server",
    "watch_server",
]

#: Events (request sent, verdict) go to this logger; never keys, tokens or tool contents.
logger = logging.getLogger("mcp_attest.mcp")


class _RawRequest(_SdkRequest[dict[str, Any] | None, str]):
    """Any method with JSON params, as the SDK's ``send_request`` takes it."""


class _RawResult(RootModel[dict[str, Any]]):
    """A result kept as the JSON object received: nothing filtered through an SDK schema."""


def _session_of(client: Any) -> Any:
    """2.x ``mcp.Client`` (``.session``) or a ``ClientSession`` of either line."""
    for candidate in (client, getattr(client, "session", None)):
        if callable(getattr(candidate, "send_request", None)):
            return candidate
    raise SdkShapeError(
        f"verify_server expects an mcp.Client (2.x) or an mcp.ClientSession, not {type(client).__name__}"
    )


#: The session's request for a TXT lookup: the adapter resolves it, never sends it to the server.
METHOD_DNS_TXT = "dns/txt"


async def _dns_txt(session: ClientSession, params: Any, resolver: Any) -> None:
    """Answers the session's ``dns/txt`` request: the TXT records of ``params["name"]``, each
    record's strings joined (``[]`` when the name or its TXT data does not exist), or an error
    when the lookup itself fails (no resolver, timeout, SERVFAIL). What they mean is the core's."""
    name = params.get("name") if isinstance(params, dict) else None
    if not isinstance(name, str):
        session.receive_error(-32603, "dns/txt: no name to look up")
        return
    try:
        import dns.asyncresolver
        import dns.exception
        import dns.resolver
    except ImportError:
        session.receive_error(-32603, "no DNS resolver: install mcp-attest[dns] (dnspython)")
        return
    try:
        answer = await (resolver if resolver is not None else dns.asyncresolver.Resolver()).resolve(name, "TXT")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        session.receive_result({"records": []})
        return
    except dns.exception.DNSException as exc:
        session.receive_error(-32603, f"the TXT lookup failed: {type(exc).__name__}")
        return
    records = [b"".join(rdata.strings).decode("utf-8", "replace") for rdata in answer]
    session.receive_result({"records": records})


def _absorb_listing(sdk: Any, pages: list[Any]) -> None:
    """Hands the listed tools to the SDK session, as its own ``list_tools()`` would have.

    The core's session lists tools with a raw request (the signatures cover the raw
    definitions). Both SDK lines' ``call_tool`` check structured output against the schemas
    ``list_tools()`` caches, and ``mcp`` 2.x also keeps the x-mcp-header maps it mirrors into
    ``Mcp-Param-*`` headers from that listing; without this, the first ``call_tool`` of each
    tool re-listed the tools, unverified, to find its schema, and went out without its
    headers. The same step as the TypeScript adapters' (``absorbListing``). What the SDK
    refuses, which its own ``list_tools()`` would have raised, leaves the verdict as it is.
    """
    if not pages:
        return
    tools = [
        t
        for page in pages
        if isinstance(page, dict) and isinstance(page.get("tools"), list)
        for t in page["tools"]
        if isinstance(t, dict) and isinstance(t.get("name"), str)
    ]
    first = pages[0] if isinstance(pages[0], dict) else {}
    listing = {**{k: v for k, v in first.items() if k != "nextCursor"}, "tools": tools}
    try:
        result = _sdk_types.ListToolsResult.model_validate(listing)
        absorb = getattr(sdk, "_absorb_tool_listing", None)
        if callable(absorb):  # mcp 2.x: filters by the x-mcp-header rules, caches schemas and header maps
            absorb(result, complete=True)
            return
        schemas = getattr(sdk, "_tool_output_schemas", None)
        if isinstance(schemas, dict):  # mcp 1.x: what its list_tools() caches
            for tool in result.tools:
                # 1.x's field name; read by name so the module type-checks against 2.x's types.
                schemas[tool.name] = getattr(tool, "outputSchema", None)
    except Exception as exc:  # noqa: BLE001 - the SDK's refusal of a hostile listing is not ours to raise
        logger.debug("mcp_attest: the SDK refused the listing: %s", type(exc).__name__)


async def _run(
    client: Any, session: ClientSession, pages: list[dict[str, Any]] | None, dns_resolver: Any = None
) -> ServerReport:
    sdk = _session_of(client)
    listed: list[Any] = []
    while (request := session.next_request()) is not None:
        method, params = request
        if method == METHOD_DNS_TXT:
            logger.debug("mcp_attest: resolving TXT %s", params.get("name"))
            await _dns_txt(session, params, dns_resolver)
            continue
        logger.debug("mcp_attest: sending %s", method)
        try:
            answer = await sdk.send_request(_RawRequest(method=method, params=params), _RawResult)
        except Exception as exc:  # noqa: BLE001 - what a server sends is judged, never raised
            error = jsonrpc_error_of(exc)
            if error is not None:
                # An `mcp` 1.x server answers a method it does not know with -32602, not
                # -32601; the core reads that as "no identity" (spec §15.2 step 2).
                session.receive_error(*error)
            elif isinstance(exc, ValidationError):
                # The SDK refused the result's shape before handing it over: the core judges
                # "no valid result" (a tools/list that is not one, a malformed answer).
                session.receive_result("null")
            else:
                # A transport failure (connection closed, timeout): no answer from the server.
                session.receive_error(-32603, f"{type(exc).__name__}: {exc}"[:500])
            continue
        raw = answer.root
        if method == "tools/list":
            listed.append(raw)
            if pages is not None:
                pages.append(raw)
        session.receive_result(raw)
    _absorb_listing(sdk, listed)
    report = session.report
    if report is None:  # unreachable: next_request() is None only once the report is written
        raise RuntimeError("mcp_attest: the session ended without a report")
    logger.info(
        "mcp_attest: server %s verified=%s code=%s pin=%s",
        (report.server or {}).get("did"),
        report.verified,
        report.code,
        report.pin,
    )
    return report


async def verify_server(
    client: Any, *, trust_store: _native.TrustStore | None = None, dns_resolver: Any = None, **policy: Any
) -> ServerReport:
    """Verifies the connected server: the core's session over this client; returns its report.

    ``policy``: the core's options in snake_case (``server_id``, ``expected_key``, ``audience``,
    ``endpoint``, ``allow_self_issued``, ``require_passport``, ``challenge``,
    ``tool_signatures``, ``require_manifest``, ``max_pages``, ``leeway``, ``max_lifetime``,
    ``domain``). With ``domain`` the TXT record ``_mcp-identity.<domain>`` is looked up with
    dnspython (``pip install 'mcp-attest[dns]'``; its system resolver, or ``dns_resolver``, a
    ``dns.asyncresolver.Resolver``); without dnspython the lookup counts as failed.
    With ``trust_store`` (which needs ``server_id``) the updated store (pin, accepted tools) is
    written back into it. Never raises for what the server sends (the report says); raises
    ``McpAttestError`` (``invalid_policy``) for a bad option and ``SdkShapeError`` for an
    object that is no SDK client.
    """
    session = ClientSession(policy, trust_store=trust_store)
    report = await _run(client, session, None, dns_resolver)
    session.save_trust_store()
    return report


async def verified_tools(
    client: Any, *, trust_store: _native.TrustStore | None = None, dns_resolver: Any = None, **policy: Any
) -> list[dict[str, Any]]:
    """The tools (raw JSON objects, as listed) a model may use: those the report marks
    ``verified`` — none when the server is not verified. The listing also reaches the SDK session
    as its own ``list_tools()`` would hand it over, so ``call_tool`` checks structured output
    against these tools' schemas without listing them again."""
    session = ClientSession(policy, trust_store=trust_store)
    pages: list[dict[str, Any]] = []
    report = await _run(client, session, pages, dns_resolver)
    session.save_trust_store()
    names = set(report.verified_names)
    return [t for page in pages for t in page.get("tools", []) if isinstance(t, dict) and t.get("name") in names]


def require_verified(report: ServerReport) -> ServerReport:
    """Returns ``report`` if verified; else raises the ``McpAttestError`` subclass of its code."""
    if report.verified:
        return report
    raise _from_code(report.code or "server_error", report.message or "the server is not verified")


class ListChangedWatcher:
    """Pass ``watcher.handler`` as the client's ``message_handler`` (``mcp.Client(...,
    message_handler=)`` in 2.x, ``ClientSession(..., message_handler=)`` in 1.x): the SDKs
    take the handler only when the client is built. :func:`watch_server` then waits on it."""

    def __init__(self) -> None:
        self._event = anyio.Event()
        #: How many ``notifications/tools/list_changed`` arrived.
        self.count = 0

    async def handler(self, message: Any) -> None:
        """The message handler: notes ``notifications/tools/list_changed``, ignores the rest."""
        inner = getattr(message, "root", message)
        if getattr(inner, "method", None) == "notifications/tools/list_changed":
            self.count += 1
            self._event.set()

    async def wait(self, timeout: float | None = None) -> bool:
        """Waits for the next notification (at most ``timeout`` seconds); whether one came."""
        with anyio.move_on_after(timeout):
            await self._event.wait()
        fired = self._event.is_set()
        self._event = anyio.Event()
        return fired


async def watch_server(
    client: Any,
    on_change: Callable[[ServerReport], Awaitable[None] | None],
    *,
    watcher: ListChangedWatcher | None = None,
    trust_store: _native.TrustStore | None = None,
    **policy: Any,
) -> None:
    """Verifies the server now and again after every tools list change, calling
    ``on_change(report)`` each time; runs until cancelled. ``trust_store`` is required (as in
    TypeScript): it remembers the accepted tools, so a changed tool reports ``changed`` with
    ``changed_fields``; without one a rug pull would pass unnoticed.

    Changes arrive through ``watcher`` (``notifications/tools/list_changed``; needed with SDK
    1.x and on pre-2026 2.x connections) or, without one, through the 2.x client's
    ``listen(tools_list_changed=True)`` (2026-07-28 connections).
    """

    if not isinstance(trust_store, _native.TrustStore):
        raise _from_code("invalid_policy", "watch_server: trust_store is required (it remembers the tools accepted)")

    async def report_once() -> None:
        outcome = on_change(await verify_server(client, trust_store=trust_store, **policy))
        if outcome is not None:
            await outcome

    await report_once()
    if watcher is not None:
        while True:
            if await watcher.wait():
                await report_once()
    listen = getattr(client, "listen", None)
    if not callable(listen):
        raise SdkShapeError("watch_server needs a ListChangedWatcher (watcher=) with this client")
    async with listen(tools_list_changed=True) as subscription:
        async for _event in subscription:
            await report_once()


def attach_caller_identity(
    client: Any, *, key: _native.SigningKey | Signer | None, passport: str | None = None, report: ServerReport
) -> str | None:
    """From now on every ``tools/call`` this client sends (``call_tool`` or ``send_request``;
    2.x ``mcp.Client`` or a ``ClientSession`` of either line) carries the caller's proof, made
    with ``key`` for the server of ``report`` (what :func:`verify_server` returned), and
    ``passport`` if given, in ``_meta["org.mcp-attest/caller"]``. Over Streamable HTTP, build
    the transport with :func:`caller_http_client` so the proof also travels in the header.

    A tool the report says needs a level this caller cannot show is refused here
    (``McpAttestError``, ``insufficient_trust_level``) and nothing is sent; so is every call
    when the report is not verified (its code). ``key=None``: calls go out anonymous, still
    refused here when the report says they need a level. Calling it again replaces the
    options (a new report, a passport obtained later), as the npm adapter does. Returns the
    caller's did:key (None without a key).

    >>> import anyio
    >>> from mcp import Client
    >>> from mcp.server.mcpserver import MCPServer
    >>> from mcp_attest import McpAttestError, SigningKey
    >>> from mcp_attest.mcp import attach_identity, require_verified, verify_server
    >>> server = MCPServer("doors")
    >>> @server.tool()
    ... def knock() -> str:
    ...     return "who is there?"
    >>> identity = attach_identity(server, key=SigningKey.generate(), tool_trust_levels={"unlock": 3})
    >>> @server.tool()
    ... def unlock() -> str:
    ...     return "open"
    >>> async def main() -> None:
    ...     async with Client(server) as client:
    ...         report = require_verified(await verify_server(client))
    ...         attach_caller_identity(client, key=SigningKey.generate(), report=report)
    ...         print((await client.call_tool("knock", {})).content[0].text)
    ...         try:
    ...             await client.call_tool("unlock", {})
    ...         except McpAttestError as e:
    ...             print("not sent:", e.code)
    >>> anyio.run(main)
    who is there?
    not sent: insufficient_trust_level
    """
    sdk = _session_of(client)
    did = None if key is None else _did_of(key)
    current: dict[str, Any] | None = getattr(sdk, "_mcp_attest_caller", None)
    if current is not None:
        # Wrapped once; later calls only replace what the wrapper reads.
        current["context"] = CallerContext(report=report, key=key, passport=passport)
        return did
    # The report is read once here, not on every call.
    options: dict[str, Any] = {"context": CallerContext(report=report, key=key, passport=passport)}
    original = sdk.send_request

    async def send_request(request: Any, result_type: Any, *args: Any, **kwargs: Any) -> Any:
        inner = getattr(request, "root", request)  # 1.x wraps requests in a ClientRequest
        if getattr(inner, "method", None) == "tools/call":
            params = inner.model_dump(by_alias=True, mode="json", exclude_none=True).get("params")
            attached, _proof = options["context"].prepare(params)
            rebuilt = type(inner).model_validate({"method": "tools/call", "params": attached})
            request = rebuilt if inner is request else type(request)(rebuilt)
        return await original(request, result_type, *args, **kwargs)

    sdk.send_request = send_request
    sdk._mcp_attest_caller = options
    return did


def _did_of(key: Any) -> str:
    if isinstance(key, _native.SigningKey):
        return key.to_did_key()
    public = key.public_key  # a Signer's: a VerifyingKey, its 32 bytes or its did:key
    if isinstance(public, str):
        return _native.VerifyingKey.from_did_key(public).to_did_key()
    if isinstance(public, (bytes, bytearray)):
        return _native.VerifyingKey.from_bytes(bytes(public)).to_did_key()
    return str(public.to_did_key())
