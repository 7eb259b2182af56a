"""Transport of Python values into the Rust JSON parser (used by the native module)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _default(value: Any) -> Any:
    """``json.dumps`` hook: any ``Mapping`` (not only ``dict``) travels as a JSON object."""
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
