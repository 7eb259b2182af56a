"""A real mcp 2.x stdio server that gets its key the way a guide tells a new user to:

key_server.py new <path>   load_or_create_key(path=path), the documented pattern
key_server.py old          the guide's earlier pattern: the PEM from the environment, else
                           SigningKey.generate() (a fresh key on every start)
"""

from __future__ import annotations

import os
import sys

import mcp_attest as mi
from mcp.server.mcpserver import MCPServer
from mcp_attest.mcp import attach_identity

mode = sys.argv[1]
if mode == "new":
    key = mi.load_or_create_key(path=sys.argv[2])
else:
    pem = os.environ.get("MCP_ATTEST_PRIVATE_KEY_PEM")
    key = mi.SigningKey.from_pkcs8_pem(pem) if pem else mi.SigningKey.generate()

server = MCPServer("weather")


@server.tool()
def forecast(city: str) -> str:
    """Forecast for a city."""
    return f"Sunny in {city}"


attach_identity(server, key=key)
server.run("stdio")
