"""Runs every Python example of docs/guide-python.md (pytest docs/examples/test_guides.py).

An example is the ```python block right after a ``<!-- example: name -->`` marker. Each runs in a
subprocess with the interpreter running pytest (the repo's .venv, where mcp-attest and mcp
are installed), from a temporary directory; it must exit 0 within 60 s and each
``# expect: <text>`` line must match a line of its stdout exactly, in order.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDES = ["guide-python.md"]
MARKER = re.compile(r"^<!-- example: ([a-z0-9-]+) -->$")
FENCE = re.compile(r"^```(\w+)\s*$")
EXPECT = re.compile(r"^\s*# expect: (.*)$")


def extract(markdown: str, langs: tuple[str, ...] = ("python", "py")) -> list[tuple[str, str]]:
    lines = markdown.split("\n")
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(lines):
        m = MARKER.match(lines[i])
        if m:
            fence = FENCE.match(lines[i + 1] if i + 1 < len(lines) else "")
            assert fence, f"example {m.group(1)}: no fenced block right after the marker (line {i + 1})"
            j = i + 2
            while j < len(lines) and not re.match(r"^```\s*$", lines[j]):
                j += 1
            assert j < len(lines), f"example {m.group(1)}: unterminated block"
            if fence.group(1) in langs:
                out.append((m.group(1), "\n".join(lines[i + 2 : j]) + "\n"))
            i = j
        i += 1
    return out


def _all() -> list[tuple[str, str, str]]:
    return [(g, n, code) for g in GUIDES for n, code in extract((ROOT / "docs" / g).read_text(encoding="utf-8"))]


EXAMPLES = _all()


@pytest.mark.parametrize("guide", GUIDES)
def test_every_python_block_is_a_marked_example(guide: str) -> None:
    md = (ROOT / "docs" / guide).read_text(encoding="utf-8")
    examples = extract(md)
    assert len(examples) >= 5
    fences = [line for line in md.split("\n") if re.match(r"^```(python|py)\s*$", line)]
    assert len(fences) == len(examples), "every python block must be a marked, runnable example"
    assert len({n for n, _ in examples}) == len(examples), "example names are unique"


@pytest.mark.parametrize(("guide", "name", "code"), EXAMPLES, ids=[f"{g}:{n}" for g, n, _ in EXAMPLES])
def test_example_runs(guide: str, name: str, code: str, tmp_path: Path) -> None:
    script = tmp_path / f"{name}.py"
    script.write_text(code, encoding="utf-8")
    env = {**os.environ, "MCP_ATTEST_KEY_PEM": "", "PYTHONDONTWRITEBYTECODE": "1"}
    r = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 0, f"exit {r.returncode}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}"
    got = r.stdout.split("\n")
    at = 0
    for line in code.split("\n"):
        m = EXPECT.match(line)
        if not m:
            continue
        want = m.group(1)
        assert want in got[at:], f"expected line {want!r} (in order) in stdout:\n{r.stdout}"
        at = got.index(want, at) + 1
