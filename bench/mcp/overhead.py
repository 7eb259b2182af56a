"""What server identity adds to connect + tools/list with the Python ``mcp`` SDK 2.x and
``mcp_attest.mcp``, in one process over the SDK's in-memory ``Client(server)``, for 10, 100
and 1,000 tools: the same cells and columns as overhead.mjs (the TypeScript SDKs).

Each tool count has two long-lived ``MCPServer``s, built once (untimed): one plain, one with
``attach_identity``. A sample is one fresh client: connect (initialize) and then

  plain     ``client.list_tools()`` on the plain server
  identity  ``verify_server(client)`` with the default policy: tools/list, identity/get,
            identity/challenge, then the core's verdict

The identity client is wrapped so each SDK request is timed: the report splits the time into
connect, the tools/list round trip, the identity/get and identity/challenge round trips and
the client-side work of the adapter and core. Modes and counts are interleaved; medians.

BENCH_QUICK=1: a smoke run. BENCH_ROUNDS=n: samples per cell. BENCH_TOOLS=10,100: other tool
counts. BENCH_JSON=path: the medians as JSON.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import sys
import time
from typing import Annotated, Any, Literal

import anyio
import mcp
import mcp_attest as mi
from mcp import Client
from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations
from mcp_attest.mcp import attach_identity, verify_server
from pydantic import Field

QUICK = os.environ.get("BENCH_QUICK") == "1"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5" if QUICK else "30"))
WARMUP = 2 if QUICK else 4
COUNTS = [int(n) for n in os.environ.get("BENCH_TOOLS", "10,100,1000").split(",")]

KEY = mi.SigningKey.generate()
DOMAINS = ["github", "jira", "slack", "calendar", "drive", "billing", "crm", "search", "weather", "db"]
VERBS = [
    ("list", "Lists {d} items visible to the current user, newest first, with optional filters and pagination."),
    ("get", "Fetches one {d} item by its identifier, including metadata, owner and timestamps."),
    ("create", "Creates a new {d} item from the given fields and returns its identifier and URL."),
    ("update", "Updates fields of an existing {d} item; fields not given are left unchanged."),
    ("delete", "Deletes a {d} item permanently. Requires confirm=true; cannot be undone."),
    ("search", "Full-text search over {d} items; supports quoted phrases and field:value filters."),
    ("comment", "Adds a comment to a {d} item, optionally mentioning users by handle."),
    ("assign", "Assigns a {d} item to a user or team and notifies them."),
    ("export", "Exports {d} items matching a query as CSV or JSON and returns a download link."),
    ("stats", "Returns aggregate statistics for {d} items over a date range, grouped by a field."),
]


def handler(
    id: Annotated[str | None, Field(description="The item identifier")] = None,  # noqa: A002 - the tool's parameter name
    query: Annotated[str | None, Field(max_length=500, description="Filter or search expression")] = None,
    fields: Annotated[list[str] | None, Field(description="Fields to return")] = None,
    limit: Annotated[int, Field(ge=1, le=100, description="Page size")] = 20,
    cursor: Annotated[str | None, Field(description="Opaque pagination cursor")] = None,
    format: Literal["json", "csv", "markdown"] | None = None,  # noqa: A002 - the tool's parameter name
    confirm: Annotated[bool | None, Field(description="Required for destructive operations")] = None,
) -> str:
    return "ok"


def build_server(n: int) -> MCPServer:
    server = MCPServer(f"bench-{n}", version="1.0.0")
    for i in range(n):
        d = DOMAINS[i % len(DOMAINS)]
        v, desc = VERBS[(i // len(DOMAINS)) % len(VERBS)]
        suffix = "" if i < 100 else f"_{i // 100}"
        server.add_tool(
            handler,
            name=f"{d}_{v}{suffix}",
            title=f"{v.capitalize()} {d}",
            description=desc.replace("{d}", d),
            annotations=ToolAnnotations(
                read_only_hint=v in ("list", "get", "search", "stats", "export"), destructive_hint=v == "delete"
            ),
        )
    return server


class Timed:
    """The client's SDK session with each ``send_request`` timed per method into ``rt``."""

    def __init__(self, session: Any, rt: dict[str, float]) -> None:
        self._session = session
        self._rt = rt

    async def send_request(self, request: Any, result_type: Any, *args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return await self._session.send_request(request, result_type, *args, **kwargs)
        finally:
            self._rt[request.method] = self._rt.get(request.method, 0.0) + (time.perf_counter() - t0) * 1e3


async def sample(cell: dict[str, Any], mode: str) -> dict[str, Any]:
    server = cell["plain"] if mode == "plain" else cell["identity"]
    n = cell["n"]
    rt: dict[str, float] = {}
    t0 = time.perf_counter()
    async with Client(server) as client:
        t1 = time.perf_counter()
        if mode == "plain":
            got = len((await client.list_tools()).tools)
            rt["tools/list"] = (time.perf_counter() - t1) * 1e3
        else:
            r = await verify_server(Timed(client.session, rt))
            got = len(r.verified_names)
            # The core's report: every tool verified, or the bench would be timing a failure.
            if not r.verified or got != n:
                raise RuntimeError(f"{n} tools: not verified: {r.code}: {r.message}")
        t2 = time.perf_counter()
    if got != n:
        raise RuntimeError(f"{mode}: {got} tools, not {n}")
    connect = (t1 - t0) * 1e3
    return {
        "total": (t2 - t0) * 1e3,
        "connect": connect,
        "rt": rt,
        "work": (t2 - t1) * 1e3 - sum(rt.values()),
    }


async def main() -> int:
    # The adapter logs every verdict at INFO; a bench would print thousands.
    logging.getLogger("mcp_attest").setLevel(logging.WARNING)
    cells = []
    for n in COUNTS:
        identity = build_server(n)
        attach_identity(identity, key=KEY)
        cells.append({"n": n, "plain": build_server(n), "identity": identity, "plain_s": [], "identity_s": []})
    started = time.perf_counter()
    for r in range(WARMUP + ROUNDS):
        for cell in cells:
            # Alternate which mode goes first, so neither always pays for the other's garbage.
            for mode in ("identity", "plain") if r % 2 else ("plain", "identity"):
                s = await sample(cell, mode)
                if r >= WARMUP:
                    cell[f"{mode}_s"].append(s)
    med = statistics.median
    print(
        f"connect + tools/list with and without identity (default verify_server policy), in-memory Client(server), "
        f"Python {sys.version.split()[0]}, mcp {mcp.__version__ if hasattr(mcp, '__version__') else sdk_version()}"
    )
    print(
        f"{ROUNDS} samples per cell after {WARMUP} warm-up{' (BENCH_QUICK: indicative only)' if QUICK else ''}; "
        "medians in ms; long-lived servers, a fresh client per sample"
    )
    print("identity = connect + tools/list + identity/get + identity/challenge + client-side verification\n")
    print(
        f"{'SDK':<9}{'tools':>6}{'plain':>9}{'identity':>9}{'ratio':>8} |{'connect':>8}{'list rt':>9}"
        f"{'(plain)':>9}{'get rt':>8}{'chal rt':>8}{'client':>8}"
    )
    results = {}
    for c in cells:
        P, ident = c["plain_s"], c["identity_s"]
        m = {
            "plain": med(s["total"] for s in P),
            "identity": med(s["total"] for s in ident),
            "connect": med(s["connect"] for s in ident),
            "list": med(s["rt"]["tools/list"] for s in ident),
            "plainList": med(s["rt"]["tools/list"] for s in P),
            "get": med(s["rt"]["identity/get"] for s in ident),
            "challenge": med(s["rt"]["identity/challenge"] for s in ident),
            "client": med(s["work"] for s in ident),
        }
        m["ratio"] = m["identity"] / m["plain"]
        results[f"Python {c['n']}"] = m
        print(
            f"{'Python':<9}{c['n']:>6}{m['plain']:>9.2f}{m['identity']:>9.2f}{m['ratio']:>7.2f}x |{m['connect']:>8.2f}"
            f"{m['list']:>9.2f}{m['plainList']:>9.2f}{m['get']:>8.2f}{m['challenge']:>8.2f}{m['client']:>8.2f}"
        )
    print(
        "\nlist rt: the identity server's tools/list round trip (signing, the larger result, the SDK's parse); "
        "(plain): the plain one's;\nget rt / chal rt: the round trips the default policy adds; "
        "client: the adapter's and core's work between requests."
    )
    print(f"total {time.perf_counter() - started:.1f} s")
    if os.environ.get("BENCH_JSON"):
        with open(os.environ["BENCH_JSON"], "w") as fh:
            json.dump(results, fh, indent=2)
    return 0


def sdk_version() -> str:
    from importlib.metadata import version

    return version("mcp")


if __name__ == "__main__":
    sys.exit(anyio.run(main))
