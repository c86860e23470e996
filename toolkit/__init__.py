"""Validation and export toolkit for the annotated China-Vietnam visit dataset.

The public API: validate a dataset and get a report, export it, load the published tables.

>>> import toolkit
>>> report = toolkit.validate_dataset(".").report
>>> report.valid, report.errors
(True, 0)
>>> sorted(toolkit.load_dataset("exports"))[:3]
['actor_mentions', 'actors', 'agreement_dates']

The names are imported on first use, so that ``toolkit --help`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from toolkit.check.rule_codes import rule_codes
    from toolkit.check.run import Validated, validate_dataset
    from toolkit.findings import Finding, RuleCode
    from toolkit.publish.export import ExportResult, export_dataset
    from toolkit.publish.read_back import load_dataset
    from toolkit.registry import SchemaRegistry
    from toolkit.report import Report

__all__ = [
    "ExportResult",
    "Finding",
    "Report",
    "RuleCode",
    "SchemaRegistry",
    "Validated",
    "export_dataset",
    "load_dataset",
    "rule_codes",
    "validate_dataset",
]

_WHERE = {
    "ExportResult": "toolkit.publish.export",
    "Finding": "toolkit.findings",
    "Report": "toolkit.report",
    "RuleCode": "toolkit.findings",
    "SchemaRegistry": "toolkit.registry",
    "Validated": "toolkit.check.run",
    "export_dataset": "toolkit.publish.export",
    "load_dataset": "toolkit.publish.read_back",
    "rule_codes": "toolkit.check.rule_codes",
    "validate_dataset": "toolkit.check.run",
}


def __getattr__(name: str) -> object:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'toolkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
