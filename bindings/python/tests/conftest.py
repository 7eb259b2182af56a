"""Shared helpers: where the vectors live, and reading them (a missing file fails)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PACKAGE_DIR = HERE.parent  # bindings/python
PROJECT_VECTORS = (PACKAGE_DIR / "../../tests/vectors").resolve()
SHARED_VECTORS = (PACKAGE_DIR / "../../../shared/vectors").resolve()


def _read(path: Path) -> bytes:
    if not path.is_file():
        # Never skip: a missing vector file is a failure.
        raise AssertionError(f"vector file {path} is missing; tests must not skip missing vectors")
    return path.read_bytes()


def project_json(name: str) -> Any:
    return json.loads(_read(PROJECT_VECTORS / name))


def shared_path(relative: str) -> Path:
    path = SHARED_VECTORS / relative
    _read(path)
    return path


def shared_text(relative: str) -> str:
    return _read(SHARED_VECTORS / relative).decode("utf-8")


def shared_bytes(relative: str) -> bytes:
    return _read(SHARED_VECTORS / relative)


def shared_json(relative: str) -> Any:
    return json.loads(shared_text(relative))
