"""The server's identity as both SDK lines use it: one core ``ServerPresentation`` per key and
options, plus what the core leaves to the host: a shared replay store (I/O), the name of the
client a challenge or proof is charged to (which depends on the SDK's request object) and the
evidence log's files. ``attach_identity`` and the ``tools/call`` gate live here once; the
line modules (``_server``, ``_server_v1``) only find the SDK's seams and call them."""

from __future__ import annotations

import importlib
import inspect
import json
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .. import _native
from .._native import TrustStore
from ..errors import InvalidKeyError
from ..replay import ReplayStore
from ..session import ServerPresentation
from ._common import SDK_LINE, SdkShapeError
from ._http import identity_header_app

if TYPE_CHECKING:
    from ..evidence import FileEvidenceLog

__all__ = ["CallRefused", "ServerIdentity", "attach_identity"]

#: Refusals the adapter could not record go to this logger (codes only, never contents).
logger = logging.getLogger("mcp_attest.mcp")

ClientKeyFn = Callable[[Any], "str | None"]


class _Shared:
    """What every server object with one key and one set of options shares: the core's
    presentation (its replay caches), the replay store, the client-key function and the
    evidence log."""

    def __init__(
        self,
        presentation: ServerPresentation,
        replay_store: ReplayStore | None,
        client_key: ClientKeyFn | None,
        evidence_log: FileEvidenceLog | None,
    ) -> None:
        self.presentation = presentation
        self.replay_store = replay_store
        self.client_key = client_key
        self.evidence_log = evidence_log


class CallRefused(Exception):
    """A ``tools/call`` that must not run: ``error`` is the JSON-RPC error object to answer with."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error.get("message"))
        self.error = error


#: The answer to a call the evidence log could not record (the core raised, or the file write
#: failed): fail closed with JSON-RPC's internal error, naming nothing about the log or its key.
NOT_RECORDED: dict[str, Any] = {"code": -32603, "message": "the call could not be recorded"}


class ServerIdentity:
    """What :func:`attach_identity` attached to one server: the core's presentation of one key,
    shared by every server object with that key and those options (so a server built per
    request keeps one replay cache), plus the optional ``replay_store``, ``client_key`` and
    ``evidence_log``.

    Use :attr:`presentation` for anything the adapter does not wire itself.
    """

    def __init__(self, server: Any, shared: _Shared) -> None:
        self.server = server
        self._shared = shared

    def __repr__(self) -> str:
        return f"ServerIdentity(did={self.did!r})"

    @property
    def presentation(self) -> ServerPresentation:
        """The core's presentation (shared by every server object with this key and options)."""
        return self._shared.presentation

    @property
    def replay_store(self) -> ReplayStore | None:
        """The replay store challenges and caller proofs go through, if any."""
        return self._shared.replay_store

    @property
    def client_key(self) -> ClientKeyFn | None:
        """The function naming whom a challenge or a caller proof is charged to, if given."""
        return self._shared.client_key

    @property
    def evidence_log(self) -> FileEvidenceLog | None:
        """The log every ``tools/call`` is recorded in, if any."""
        return self._shared.evidence_log

    @property
    def did(self) -> str:
        """The server's did:key."""
        return self.presentation.did

    @property
    def kid(self) -> str:
        """The key id served everywhere."""
        return self.presentation.kid

    def hint(self) -> dict[str, Any]:
        """The initialize/discover `_meta` hint: the core's capability advertisement."""
        ad: dict[str, Any] = self.presentation.capabilities()["experimental"]
        return dict(ad)

    def set_tool_trust_level(self, name: str, level: int) -> None:
        """Requires ``level`` (0–4; the core refuses anything else with ``invalid_policy``) to
        call the tool ``name``, from the next ``tools/list`` and ``tools/call`` on: the level is
        signed into the manifest, so clients see it before calling."""
        self.presentation.set_tool_trust_level(name, level)

    def required_level(self, name: str) -> int:
        """The level a call of ``name`` needs: the higher of the server-wide and the tool's."""
        return self.presentation.required_level(name)

    def tool(self, *, min_trust_level: int = 0, **sdk_tool_kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
        """A decorator registering a tool with the server's own ``tool(**sdk_tool_kwargs)``
        (2.x ``MCPServer``, 1.x ``FastMCP``) and requiring ``min_trust_level`` to call it.

        The level is checked before the tool is registered, so a bad one (``invalid_policy``)
        never leaves an unguarded tool behind:

        >>> from mcp.server.mcpserver import MCPServer
        >>> from mcp_attest import SigningKey
        >>> from mcp_attest.mcp import attach_identity
        >>> server = MCPServer("vault-keeper")
        >>> identity = attach_identity(server, key=SigningKey.generate(), min_trust_level=1)
        >>> @identity.tool(min_trust_level=3, description="Open the vault.")
        ... def open_vault() -> str:
        ...     return "opened"
        >>> identity.required_level("open_vault"), identity.required_level("any other tool")
        (3, 1)
        """
        register = getattr(self.server, "tool", None)
        if not callable(register):
            raise SdkShapeError(
                f"ServerIdentity.tool needs a server with a tool() decorator (MCPServer, FastMCP), not "
                f"{type(self.server).__name__}; use set_tool_trust_level with a low-level Server"
            )

        def decorator(fn: Callable[..., Any]) -> Any:
            name = sdk_tool_kwargs.get("name") or getattr(fn, "__name__", None)
            if not isinstance(name, str) or not name:
                raise TypeError("ServerIdentity.tool: the tool needs a name (name=...)")
            self.set_tool_trust_level(name, min_trust_level)
            return register(**sdk_tool_kwargs)(fn)

        return decorator

    async def answer_challenge(self, params: Any, client: str) -> tuple[bool, dict[str, Any]]:
        """``(True, result)`` or ``(False, JSON-RPC error object)``; through the replay store
        when there is one (admit → insert if absent → complete). A store that raises refuses."""
        store = self.replay_store
        if store is None:
            return self.presentation.answer_challenge(params, client)
        admitted = self.presentation.admit_challenge(params, client)
        if isinstance(admitted, dict):
            return False, admitted
        store_key, expires_at = admitted
        try:
            inserted = store.insert_if_absent(store_key, expires_at)
            if inspect.isawaitable(inserted):
                inserted = await inserted
        except BaseException:
            # Release the admitted slot before refusing (the store could not tell: no answer).
            self.presentation.complete_challenge(store_key, False)
            raise
        return self.presentation.complete_challenge(store_key, inserted is True)

    def admit_call(self, params: Any, *, client: str, header: str | None) -> dict[str, Any]:
        """The core's decision on a ``tools/call`` (params as received, with ``_meta``): the
        ticket to hand to :meth:`complete_call` once the tool ran, or :class:`CallRefused` with
        the JSON-RPC error to answer (the tool must not run). Denials are recorded first; a log
        that cannot record refuses the call rather than let it run unrecorded."""
        log = self.evidence_log
        try:
            admission = self.presentation.admit_call(
                params, client=client, header=header, log=log.log if log is not None else None
            )
        except Exception as exc:  # noqa: BLE001 - whatever failed, the call must not run
            logger.error("mcp_attest: a tools/call was refused: the gate could not decide it (%s)", _kind(exc))
            raise CallRefused(dict(NOT_RECORDED)) from None
        if log is not None and admission.writes:
            try:
                log.write(admission.writes)
            except Exception as exc:  # noqa: BLE001 - see below
                logger.error("mcp_attest: a tools/call decision could not be recorded (%s)", _kind(exc))
                # A refusal stays the core's refusal (the client learns why); a call that would
                # run is refused instead, since it could not be recorded.
                raise CallRefused(
                    dict(admission.error if not admission.run and admission.error else NOT_RECORDED)
                ) from None
        if not admission.run or admission.ticket is None:
            raise CallRefused(dict(admission.error or NOT_RECORDED))
        return admission.ticket

    def complete_call(self, ticket: dict[str, Any], *, result: Any = None, error: dict[str, Any] | None = None) -> None:
        """Records how an admitted call ended: its ``CallToolResult`` (``isError`` included) or
        the JSON-RPC ``error`` (``{"code", "data"}``) it ended with. Raises
        :class:`CallRefused` when the record could not be written: the caller then answers
        that error instead of the result, so nothing reaches a client unrecorded."""
        log = self.evidence_log
        try:
            writes = self.presentation.complete_call(
                ticket, result=result, error=error, log=log.log if log is not None else None
            )
            if log is not None and writes:
                log.write(writes)
        except Exception as exc:  # noqa: BLE001 - an unrecorded outcome is not sent
            logger.error("mcp_attest: a tools/call outcome could not be recorded (%s)", _kind(exc))
            raise CallRefused(dict(NOT_RECORDED)) from None


def _kind(exc: BaseException) -> str:
    # The code or the class only: a message could name a path, a key file or a token.
    code = getattr(exc, "code", None)
    return code if isinstance(code, str) else type(exc).__name__


_LOCK = threading.Lock()
_SHARED: dict[str, _Shared] = {}
# Bounded: a process serves few keys; past this the oldest entry is forgotten (its replay
# cache with it), which only matters to a process cycling through many keys.
_MAX_SHARED = 256


def _shared_state(
    key: Any,
    *,
    replay_store: ReplayStore | None,
    client_key: ClientKeyFn | None,
    caller_trust: TrustStore | None,
    evidence_log: FileEvidenceLog | None,
    **options: Any,
) -> _Shared:
    """The state for ``key`` with these options: the same object (and replay caches) for the
    same public key, options, and ``replay_store``, ``client_key``, ``caller_trust`` and
    ``evidence_log`` objects, so a server built per request (stateless HTTP) keeps its replay
    protection as long as it passes the same objects. The core checks the options
    (``invalid_policy``)."""
    if not isinstance(key, _native.SigningKey) and not (hasattr(key, "sign") and hasattr(key, "public_key")):
        raise InvalidKeyError(
            "key must be an mcp_attest.SigningKey (e.g. load_or_create_key(path=...)) or a Signer "
            f"(public_key and sign(data) -> bytes), not {type(key).__name__}",
            "invalid_key",
        )
    if replay_store is not None and not callable(getattr(replay_store, "insert_if_absent", None)):
        raise TypeError("replay_store must have an insert_if_absent(key, expires_at) method")
    if client_key is not None and not callable(client_key):
        raise TypeError("client_key must be callable")
    if caller_trust is not None and not isinstance(caller_trust, TrustStore):
        raise TypeError("caller_trust must be an mcp_attest.TrustStore (e.g. load_trust_store(path))")
    if evidence_log is not None and not (
        callable(getattr(evidence_log, "write", None)) and hasattr(evidence_log, "log")
    ):
        raise TypeError("evidence_log must be an mcp_attest.evidence.FileEvidenceLog (open_evidence_log(dir, key))")
    attestations = options.get("attestations")
    if attestations is not None:
        options["attestations"] = [json.loads(a) if isinstance(a, str) else dict(a) for a in attestations]
    endpoints = options.get("endpoints")
    if endpoints is not None and not isinstance(endpoints, str):
        options["endpoints"] = list(endpoints)
    # Unset options are left to the core's defaults; any other option goes to the core as is:
    # a name it does not know is invalid_policy, as in every language, not Python's TypeError.
    options = {k: v for k, v in options.items() if v is not None or k in ("name", "version")}
    presentation = ServerPresentation(key, **options)  # raises invalid_policy on bad options
    ident = " ".join(
        [
            presentation.did,
            json.dumps(options, sort_keys=True, default=str),
            *(str(id(o)) for o in (replay_store, client_key, caller_trust, evidence_log)),
        ]
    )
    with _LOCK:
        found = _SHARED.get(ident)
        if found is None:
            if caller_trust is not None:
                presentation.set_caller_trust(caller_trust)
            found = _SHARED[ident] = _Shared(presentation, replay_store, client_key, evidence_log)
            while len(_SHARED) > _MAX_SHARED:
                _SHARED.pop(next(iter(_SHARED)))
        return found


def attach_identity(
    server: Any,
    *,
    key: Any,
    passport: str | None = None,
    audience: str | None = None,
    endpoints: Iterable[str] | None = None,
    attestations: Iterable[Mapping[str, Any] | str] | None = None,
    passport_ttl: int | None = None,
    manifest_ttl: int | None = None,
    replay_cache_capacity: int | None = None,
    replay_store: ReplayStore | None = None,
    client_key: ClientKeyFn | None = None,
    kid: str | None = None,
    min_trust_level: int | None = None,
    tool_trust_levels: Mapping[str, int] | None = None,
    caller_trust: TrustStore | None = None,
    evidence_log: FileEvidenceLog | None = None,
    **options: Any,
) -> ServerIdentity:
    """Gives ``server`` the identity of ``key``; call before running it. Name and version come
    from the server. The same function for both SDK lines (2.x ``MCPServer`` or low-level
    ``Server``; 1.x ``FastMCP`` or low-level ``Server``): only the wiring differs.

    Every ``tools/call`` then goes through the core's gate: the caller identified from its
    proof (trusting the issuers of ``caller_trust`` for passports), the tool's required level
    (``min_trust_level`` server-wide, ``tool_trust_levels`` or :meth:`ServerIdentity.tool` per
    tool) enforced before the handler runs, and the decision recorded in ``evidence_log``
    (from :func:`mcp_attest.evidence.open_evidence_log`). ``client_key(request)`` names whom a
    challenge or proof is charged to (the SDK's request context; see ``client_key_of``).
    """
    wiring: Any = importlib.import_module("._server" if SDK_LINE == 2 else "._server_v1", __package__)
    low = wiring.lowlevel_of(server)
    if getattr(low, "_mcp_attest_identity", None) is not None:
        raise ValueError("attach_identity: this server already has an identity")
    shared = _shared_state(
        key,
        name=low.name,
        version=getattr(low, "version", None),
        passport=passport,
        audience=audience,
        endpoints=endpoints,
        attestations=attestations,
        passport_ttl=passport_ttl,
        manifest_ttl=manifest_ttl,
        replay_cache_capacity=replay_cache_capacity,
        kid=kid,
        min_trust_level=min_trust_level,
        tool_trust_levels=dict(tool_trust_levels) if tool_trust_levels is not None else None,
        replay_store=replay_store,
        client_key=client_key,
        caller_trust=caller_trust,
        evidence_log=evidence_log,
        **options,
    )
    identity = ServerIdentity(server, shared)
    wiring.install(server, low, identity)
    low._mcp_attest_identity = identity
    make_app = getattr(server, "streamable_http_app", None)
    if callable(make_app):
        # The hint header on every Streamable HTTP response of the apps this server builds.
        def streamable_http_app(*args: Any, **kwargs: Any) -> Any:
            return identity_header_app(make_app(*args, **kwargs), identity)

        server.streamable_http_app = streamable_http_app
    return identity
