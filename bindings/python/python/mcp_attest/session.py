"""One trust decision, made by the core: the client session that decides whether a server and
its tools may be used, and the server presentation that proves a server's identity.

The MCP adapters drive these; a host without an SDK can too. Option names are the
TypeScript package's in snake_case; values, defaults, codes and the report are the core's,
identical in every language.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from . import _native
from ._native import SigningKey, TrustStore, VerifyingKey
from .caller import Caller
from .evidence import EvidenceLog
from .key_store import Signer

__all__ = [
    "CallAdmission",
    "ClientPolicy",
    "ClientSession",
    "ServerPresentation",
    "ServerReport",
    "ToolVerdict",
]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _options_json(options: Mapping[str, Any]) -> str:
    """snake_case options as the camelCase JSON the core reads (None = the default). Names
    are not checked here: the core refuses an unknown one (``invalid_policy``)."""
    out: dict[str, Any] = {}
    for k, v in options.items():
        if v is None:
            continue
        if isinstance(v, VerifyingKey):
            v = v.to_did_key()
        out[_camel(k)] = v
    return json.dumps(out)


@dataclass(frozen=True)
class ClientPolicy:
    """What a client requires of a server; every field defaults to the core's default."""

    server_id: str | None = None
    """The name the server is pinned under (its URL or command line); required with a trust store."""
    expected_key: str | VerifyingKey | None = None
    audience: str | None = None
    endpoint: str | None = None
    """The URL the client connected to: the passport's ``mcp.endpoints`` must list it."""
    allow_self_issued: bool | None = None
    require_passport: bool | None = None
    challenge: bool | None = None
    tool_signatures: Literal["if_no_manifest", "always"] | None = None
    require_manifest: bool | None = None
    max_pages: int | None = None
    leeway: int | None = None
    max_lifetime: int | None = None
    domain: str | None = None
    """A domain whose DNS record (``_mcp-identity.<domain>`` TXT) should name the server's key:
    the session then asks for one ``dns/txt`` request the caller resolves itself (never sent
    to the server). A match raises the server to level 2; a record naming another key refuses
    it (``record_mismatch``)."""

    def to_json(self) -> str:
        """The policy as the core reads it (camelCase JSON)."""
        return _options_json({f.name: getattr(self, f.name) for f in fields(self)})


@dataclass(frozen=True)
class ToolVerdict:
    """One tool's verdict."""

    name: str | None
    status: str
    code: str | None
    message: str | None
    hash: str | None
    changed_fields: tuple[str, ...]
    #: The trust level the server requires of this tool's callers (signed manifest; 0: none).
    required_level: int = 0


@dataclass(frozen=True)
class ServerReport:
    """The core's server report; ``json`` is its text, byte-identical in every language."""

    json: str = field(repr=False)
    verified: bool
    code: str | None
    message: str | None
    server: dict[str, Any] | None
    passport: dict[str, Any] | None
    publishers: tuple[dict[str, Any], ...]
    rotations: tuple[dict[str, Any], ...]
    pin: str | None
    challenge: str
    revocation: str
    #: The server's trust level, 0–4 (spec §20.1); 0 unless verified.
    level: int
    #: The domain's DNS record (policy ``domain``): verified, absent, mismatch, unchecked; None without one.
    dns: str | None
    pages: tuple[int, ...]
    tools: tuple[ToolVerdict, ...]
    changes: dict[str, Any] | None

    @staticmethod
    def from_json(text: str) -> ServerReport:
        r = json.loads(text)
        return ServerReport(
            json=text,
            verified=r["verified"],
            code=r["code"],
            message=r["message"],
            server=r["server"],
            passport=r["passport"],
            publishers=tuple(r["publishers"]),
            rotations=tuple(r["rotations"]),
            pin=r["pin"],
            challenge=r["challenge"],
            revocation=r["revocation"],
            level=r["level"],
            dns=r["dns"],
            pages=tuple(r["pages"]),
            tools=tuple(
                ToolVerdict(
                    name=t["name"],
                    status=t["status"],
                    code=t["code"],
                    message=t["message"],
                    hash=t["hash"],
                    changed_fields=tuple(t["changedFields"]),
                    required_level=t["requiredLevel"],
                )
                for t in r["tools"]
            ),
            changes=r["changes"],
        )

    @property
    def verified_names(self) -> tuple[str, ...]:
        """The names of the tools a model may use."""
        return tuple(t.name for t in self.tools if t.status == "verified" and t.name is not None)


class ClientSession:
    """The client side of an identity check, as a state machine with no I/O.

    Ask :meth:`next_request` what to send, send it, hand back the raw result or the JSON-RPC
    error, until it returns ``None``; then read :attr:`report` and, with a trust store, call
    :meth:`save_trust_store`.

    >>> s = ClientSession(ClientPolicy(server_id="stdio:weather"), trust_store=TrustStore())
    >>> s.next_request()
    ('tools/list', {})
    """

    def __init__(
        self,
        policy: ClientPolicy | Mapping[str, Any] | None = None,
        *,
        trust_store: TrustStore | None = None,
        now: Any = None,
        random: bytes | None = None,
    ) -> None:
        if policy is None:
            policy = ClientPolicy()
        text = policy.to_json() if isinstance(policy, ClientPolicy) else _options_json(policy)
        self._store = trust_store
        # ``random`` (64 bytes) is for reproducible tests; by default the OS CSPRNG.
        self._inner = _native.ClientSession(text, trust_store, now, os.urandom(64) if random is None else random)

    def next_request(self) -> tuple[str, dict[str, Any]] | None:
        r = self._inner.next_request()
        return None if r is None else (r[0], json.loads(r[1]))

    def receive_result(self, result: Any) -> None:
        """The raw result (a dict, or JSON text) of the last request."""
        try:
            self._inner.receive_result(result)
        except (TypeError, ValueError):
            # Not JSON at all: the core judges a value that is no result of the method.
            self._inner.receive_result("null")

    def receive_error(self, code: int, message: str, data: Any = None) -> None:
        """The JSON-RPC error the last request was answered with."""
        try:
            d = None if data is None else json.dumps(data)
        except (TypeError, ValueError):
            d = None
        self._inner.receive_error(int(code), str(message), d)

    @property
    def report(self) -> ServerReport | None:
        text = self._inner.report()
        return None if text is None else ServerReport.from_json(text)

    @property
    def report_json(self) -> str | None:
        return self._inner.report()

    def save_trust_store(self) -> None:
        """Writes the updated trust store (pin, accepted tools) into the store given."""
        if self._store is not None:
            self._inner.save_trust_store(self._store)


class ServerPresentation:
    """A server's identity, presented; one per signing key, shared by every connection."""

    def __init__(self, key: SigningKey | Signer, **options: Any) -> None:
        self._inner = _native.ServerPresentation(key, _options_json(options))

    @property
    def kid(self) -> str:
        return self._inner.kid

    @property
    def did(self) -> str:
        return self._inner.did

    def capabilities(self) -> dict[str, Any]:
        return json.loads(self._inner.capabilities())  # type: ignore[no-any-return]

    def http_headers(self) -> dict[str, str]:
        return json.loads(self._inner.http_headers())  # type: ignore[no-any-return]

    def passport(self, *, now: Any = None) -> str | None:
        return self._inner.passport(now=now)

    def sign_tools_list(self, result: Any, *, cursor: str | None = None, now: Any = None) -> dict[str, Any]:
        """Signs one ``tools/list`` result; ``cursor`` is the cursor the request carried
        (paginated lists get a page token binding it to ``nextCursor``)."""
        return json.loads(self._inner.sign_tools_list(result, cursor=cursor, now=now))  # type: ignore[no-any-return]

    def identity_get(self, *, now: Any = None) -> dict[str, Any]:
        return json.loads(self._inner.identity_get(now=now))  # type: ignore[no-any-return]

    def answer_challenge(self, params: Any, client: str, *, now: Any = None) -> tuple[bool, dict[str, Any]]:
        """``(True, result)``, or ``(False, jsonrpc_error)`` to send as the JSON-RPC error.
        ``client`` names the sender, whose quota of the replay cache it uses (a session id, an
        authenticated client, a remote address: docs/spec.md §13.4.1)."""
        ok, text = self._inner.answer_challenge(params, client, now=now)
        return ok, json.loads(text)

    def admit_challenge(self, params: Any, client: str, *, now: Any = None) -> tuple[str, int] | dict[str, Any]:
        """For replicas sharing a replay store: ``(store_key, expires_at)`` to insert into the
        store if absent, then :meth:`complete_challenge`; or the JSON-RPC error to send."""
        ok, admitted, error = self._inner.admit_challenge(params, client, now=now)
        if ok and admitted is not None:
            return admitted
        return json.loads(error or "{}")  # type: ignore[no-any-return]

    def complete_challenge(self, store_key: str, inserted: bool) -> tuple[bool, dict[str, Any]]:
        """The answer once the store said whether it took the key (not taken: replayed)."""
        ok, text = self._inner.complete_challenge(store_key, inserted)
        return ok, json.loads(text)

    def set_tool_trust_level(self, name: str, level: int) -> None:
        """Sets the level (0–4) ``name`` requires; the next ``tools/list`` publishes it."""
        self._inner.set_tool_trust_level(name, level)

    def required_level(self, name: str) -> int:
        return self._inner.required_level(name)

    def set_caller_trust(self, store: TrustStore) -> None:
        """The issuers (with their ``maxLevel``) whose passports raise callers, and the
        revocation lists applied to callers."""
        self._inner.set_caller_trust(store)

    def admit_call(
        self,
        params: Any,
        *,
        client: str,
        header: str | None = None,
        log: EvidenceLog | None = None,
        now: Any = None,
    ) -> CallAdmission:
        """Decides one ``tools/call`` before its handler runs (spec §20.6): ``params`` as
        received (with ``_meta``), ``header`` the ``MCP-Attest-Caller`` request header (HTTP),
        ``client`` the replay-quota key, ``log`` the evidence log (its lines are returned, to
        append). On ``run=False`` answer with ``error`` and do not run the handler. Raises
        ``server_error`` when the log cannot record: fail the call closed."""
        d = json.loads(
            self._inner.admit_call(
                params if params is not None else {},
                client,
                header=header,
                log=None if log is None else log._inner,
                now=now,
            )
        )
        c = d.get("caller")
        return CallAdmission(
            run=d["run"],
            ticket=d.get("ticket"),
            caller=None if c is None else Caller(did=c["did"], level=c["level"], issuer=c["issuer"]),
            error=d.get("error"),
            writes=[(w["file"], w["line"]) for w in d.get("writes", [])],
        )

    def complete_call(
        self,
        ticket: Mapping[str, Any],
        *,
        result: Any = None,
        error: Mapping[str, Any] | None = None,
        log: EvidenceLog | None = None,
        now: Any = None,
    ) -> list[tuple[int, str]]:
        """Records an admitted call's outcome: the ``CallToolResult`` the handler returned (an
        ``isError`` result too), or the JSON-RPC error object it failed with. Returns the
        evidence lines to append."""
        out = self._inner.complete_call(
            dict(ticket),
            result=result,
            error=None if error is None else dict(error),
            log=None if log is None else log._inner,
            now=now,
        )
        return [(w["file"], w["line"]) for w in json.loads(out)]


@dataclass(frozen=True)
class CallAdmission:
    """The gate's decision on one ``tools/call`` (spec §20.6)."""

    run: bool
    #: Opaque: hand it back to :meth:`ServerPresentation.complete_call` unchanged.
    ticket: dict[str, Any] | None
    caller: Caller | None
    #: The JSON-RPC error object to answer with, when ``run`` is false.
    error: dict[str, Any] | None
    #: Evidence lines ``(file, line)`` to append (a refusal's record).
    writes: list[tuple[int, str]]
