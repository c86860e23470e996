"""Validation and export toolkit for the annotated China-Vietnam visit dataset.

The public API is imported lazily so that ``toolkit --help`` stays fast.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "Finding",
    "Report",
    "SchemaRegistry",
    "export_dataset",
    "load_dataset",
    "validate_dataset",
]

_WHERE = {
    "Finding": "toolkit.findings",
    "Report": "toolkit.report",
    "SchemaRegistry": "toolkit.registry",
    "export_dataset": "toolkit.publish.export",
    "load_dataset": "toolkit.publish.read_back",
    "validate_dataset": "toolkit.check.run",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'toolkit' has no attribute {name!r}")
