"""A real mcp 2.x client with the mcp_attest.mcp adapter, for the CLI's tests
(crates/mcp-attest-cli/tests/net.rs):

    python cli_client.py [--call TOOL ARGS_JSON] (--url URL | -- COMMAND [ARGS...])

Connects over stdio (a command) or Streamable HTTP (a URL), runs verify_server, optionally calls
one tool, and prints one JSON line: {"report": <the core's report>, "call": <the tools/call result>}.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp_attest.mcp import verify_server


async def main(argv: list[str]) -> None:
    call: tuple[str, Any] | None = None
    url: str | None = None
    command: list[str] = []
    i = 0
    while i < len(argv):
        if argv[i] == "--call":
            call = (argv[i + 1], json.loads(argv[i + 2]))
            i += 3
        elif argv[i] == "--url":
            url = argv[i + 1]
            i += 2
        elif argv[i] == "--":
            command = argv[i + 1 :]
            break
        else:
            raise SystemExit(f"unknown argument {argv[i]}")
    transport: Any = url if url else stdio_client(StdioServerParameters(command=command[0], args=command[1:]))
    async with Client(transport) as client:
        report = await verify_server(client)
        out: dict[str, Any] = {"report": json.loads(report.json)}
        if call is not None:
            result = await client.call_tool(call[0], call[1])
            out["call"] = result.model_dump(mode="json", by_alias=True, exclude_none=True)
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
