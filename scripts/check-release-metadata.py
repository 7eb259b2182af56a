#!/usr/bin/env python3
"""Checks what a lockstep release of the crate, the npm package and the PyPI package needs.

The three are published together from one tag, so their versions must agree: the workspace
version (every published crate inherits it, and the Python glue crate gives it to maturin
through `dynamic = ["version"]`), package.json and its lockfile, and the version that the
CLI asks of the core. CHANGELOG.md needs a section for that version, every package directory
ships the same licence texts as the repository root, and the Python dev-tool lock pins what
requirements-dev.txt names. Exits 1 and lists every mismatch. Standard library only
(tomllib: Python 3.11+).
"""

from __future__ import annotations

import filecmp
import json
import re
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIRS = ["crates/mcp-attest", "crates/mcp-attest-cli", "bindings/js", "bindings/python"]
LICENSES = ["LICENSE-MIT", "LICENSE-APACHE"]


def load_toml(rel: str) -> dict:
    with open(ROOT / rel, "rb") as f:
        return tomllib.load(f)


def main() -> int:
    errors: list[str] = []
    workspace = load_toml("Cargo.toml")
    version = workspace["workspace"]["package"]["version"]
    expected_license = workspace["workspace"]["package"]["license"]

    for member in workspace["workspace"]["members"]:
        pkg = load_toml(f"{member}/Cargo.toml")["package"]
        if pkg.get("version") != {"workspace": True}:
            errors.append(f"{member}/Cargo.toml: version is {pkg.get('version')!r}, not `version.workspace = true`")

    # The CLI is published against the core of the same release.
    core_dep = workspace["workspace"]["dependencies"]["mcp-attest"]
    if core_dep.get("version") != f"={version}":
        errors.append(
            f"Cargo.toml: [workspace.dependencies] mcp-attest has version {core_dep.get('version')!r}, expected '={version}'"
        )

    pkg_json = json.loads((ROOT / "bindings/js/package.json").read_text())
    if pkg_json["version"] != version:
        errors.append(f"bindings/js/package.json: version {pkg_json['version']} != workspace {version}")
    if pkg_json.get("license") != expected_license:
        errors.append(f"bindings/js/package.json: license {pkg_json.get('license')!r} != {expected_license!r}")
    lock = json.loads((ROOT / "bindings/js/package-lock.json").read_text())
    for where, v in (("version", lock.get("version")), ('packages[""].version', lock["packages"][""].get("version"))):
        if v != version:
            errors.append(f"bindings/js/package-lock.json: {where} {v} != workspace {version} (run npm install)")

    project = load_toml("bindings/python/pyproject.toml")["project"]
    if "version" in project:
        if project["version"] != version:
            errors.append(f"bindings/python/pyproject.toml: version {project['version']} != workspace {version}")
    elif "version" not in project.get("dynamic", []):
        errors.append("bindings/python/pyproject.toml: no version and version is not dynamic")
    py_license = project.get("license")
    if py_license not in (expected_license, {"text": expected_license}):
        errors.append(f"bindings/python/pyproject.toml: license {py_license!r} != {expected_license!r}")

    changelog = (ROOT / "CHANGELOG.md").read_text()
    if not re.search(rf"^## \[{re.escape(version)}\]", changelog, re.M):
        errors.append(f"CHANGELOG.md: no '## [{version}]' section")

    for d in PACKAGE_DIRS:
        for lic in LICENSES:
            copy = ROOT / d / lic
            if not copy.is_file():
                errors.append(f"{d}/{lic}: missing (copy it from the repository root)")
            elif not filecmp.cmp(ROOT / lic, copy, shallow=False):
                errors.append(f"{d}/{lic}: differs from the repository root's {lic}")

    # The Python dev-tool lock (installed with --require-hashes) pins what requirements-dev.txt names.
    def pins(text: str) -> dict[str, str]:
        found = re.findall(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;\\]+)", text, re.M)
        return {re.sub(r"[-_.]+", "-", name).lower(): v for name, v in found}

    wanted = pins((ROOT / "bindings/python/requirements-dev.txt").read_text())
    locked = pins((ROOT / "bindings/python/requirements-dev.lock").read_text())
    for name, v in sorted(wanted.items()):
        if locked.get(name) != v:
            errors.append(
                f"bindings/python/requirements-dev.lock: {name} is {locked.get(name)}, requirements-dev.txt says {v}"
                " (regenerate it: see its header)"
            )

    if errors:
        print("release metadata:", *errors, sep="\n  ", file=sys.stderr)
        return 1
    print(f"release metadata: version {version} everywhere, changelog and licences in place")
    return 0


if __name__ == "__main__":
    sys.exit(main())
