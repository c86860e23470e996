"""The validation Report (data), and the text, JSON and GitHub reporters that render it."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, TextIO

from toolkit.findings import Finding, Severity


@dataclass(frozen=True)
class Report:
    """Outcome of a validation run: valid when no finding is an error."""

    valid: bool
    stats: dict[str, int] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()

    @classmethod
    def from_findings(cls, findings: list[Finding], stats: dict[str, int]) -> Report:
        ordered = tuple(sorted(set(findings)))
        valid = not any(f.severity == Severity.ERROR.value for f in ordered)
        return cls(valid=valid, stats=dict(stats), findings=ordered)

    @property
    def errors(self) -> int:
        return sum(f.severity == Severity.ERROR.value for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == Severity.WARNING.value for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "stats": dict(sorted(self.stats.items())),
            "errors": self.errors,
            "warnings": self.warnings,
            "findings": [f.to_dict() for f in self.findings],
        }

    def flatten(self, fields: tuple[str, ...] = ("file", "pointer", "code")) -> list[list[Any]]:
        """The findings as lists of the chosen fields, for compact test assertions."""
        return [[getattr(f, name) for name in fields] for f in self.findings]


class Reporter(ABC):
    """Renders a Report to a stream."""

    @abstractmethod
    def report(self, report: Report, stream: TextIO) -> None: ...


class TextReporter(Reporter):
    """Compiler style: ``path:line:col: severity code message`` then the hint, then a summary."""

    def report(self, report: Report, stream: TextIO) -> None:
        for f in report.findings:
            where = f"{f.file}:{f.line}:{f.column}"
            pointer = f" [{f.pointer}]" if f.pointer else ""
            stream.write(f"{where}: {f.severity} {f.code} {f.message}{pointer}\n")
            stream.write(f"    hint: {f.hint}\n")
        s = report.stats
        verdict = "valid" if report.valid else "invalid"
        stream.write(
            f"{verdict}: {report.errors} error(s), {report.warnings} warning(s) in "
            f"{s.get('files', 0)} file(s); {s.get('agreements', 0)} agreements, "
            f"{s.get('actors', 0)} actors, {s.get('dates', 0)} dates, "
            f"{s.get('evidence', 0)} evidence spans\n"
        )


class JsonReporter(Reporter):
    """The library report, as JSON: ``json.loads(output) == report.to_dict()``."""

    def report(self, report: Report, stream: TextIO) -> None:
        stream.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False, sort_keys=True))
        stream.write("\n")


class GithubReporter(Reporter):
    """GitHub Actions workflow commands, so a pull request shows each finding on its line."""

    def report(self, report: Report, stream: TextIO) -> None:
        for f in report.findings:
            level = "error" if f.severity == Severity.ERROR.value else "warning"
            props = (
                f"file={_prop(f.file)},line={max(f.line, 1)},col={max(f.column, 1)},"
                f"title={_prop(f.code)}"
            )
            stream.write(
                f"::{level} {props}::{_data(f.message + ' ' + f.pointer + ' — ' + f.hint)}\n"
            )
        stream.write(
            f"{'valid' if report.valid else 'invalid'}: {report.errors} error(s), "
            f"{report.warnings} warning(s)\n"
        )


def _data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(s: str) -> str:
    return _data(s).replace(":", "%3A").replace(",", "%2C")


REPORTERS: dict[str, type[Reporter]] = {
    "text": TextReporter,
    "json": JsonReporter,
    "github": GithubReporter,
}
