"""The validation Report (data), and the text, JSON and GitHub reporters that render it.

Findings carry what contributors wrote (file names, keys, quotes), so the reporters print any
string: in the text and GitHub formats every control character, line or paragraph separator,
bidirectional control and lone surrogate is written as an escape (``\\n``, ``\\x1b``,
``\\u2028``, ``\\ud800``), so each finding stays on its lines and nothing reaches the
terminal or the CI runner as a command; the JSON format stays valid JSON that decodes to the
report. A stream that cannot encode every character gets escapes in their place.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from toolkit.findings import LAYERS, RULE_CODES, Finding, Severity

#: The version of the report's JSON form (``--format json``; its JSON Schema is
#: ``toolkit/report.schema.json``). A new field is a minor step, a change of meaning a major.
REPORT_FORMAT = "1.0"


def report_schema() -> dict[str, Any]:
    """The JSON Schema of the report's JSON form, as the package ships it
    (``toolkit/report.schema.json``)."""
    from importlib.resources import files

    return json.loads((files("toolkit") / "report.schema.json").read_text("utf-8"))  # type: ignore[no-any-return]


def rank(f: Finding) -> tuple[Any, ...]:
    """The order of findings, the most informative first: errors before warnings, then by
    layer in the order the checks run (a file that cannot be read, then its JSON, its schema,
    its evidence, and last the dataset-wide rules, whose findings are often consequences),
    then by file, line, column and pointer."""
    rule = RULE_CODES.get(f.code)
    layer = LAYERS.index(rule.layer) if rule is not None else len(LAYERS)
    return (f.severity != Severity.ERROR.value, layer, f.file, f.line, f.column, f.pointer, f)


def dataset_wide(f: Finding) -> bool:
    """True for a finding of the dataset-wide checks (the table layer)."""
    rule = RULE_CODES.get(f.code)
    return rule is not None and rule.layer == "table"


@dataclass(frozen=True)
class Summary:
    """What a run checked, counted apart: the files checked and their own findings, then the
    dataset-wide checks (over every file of the dataset) and the findings they give."""

    files_checked: int
    file_errors: int
    file_warnings: int
    dataset_files: int
    dataset_errors: int
    dataset_warnings: int

    def to_dict(self) -> dict[str, int]:
        return dict(sorted(self.__dict__.items()))


@dataclass(frozen=True)
class Report:
    """Outcome of a validation run: valid when no finding is an error; *checked* names the
    files checked (None when the run does not say, as a migration's report)."""

    valid: bool
    stats: dict[str, int] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    checked: tuple[str, ...] | None = None

    @classmethod
    def from_findings(
        cls, findings: list[Finding], stats: dict[str, int], checked: list[str] | None = None
    ) -> Report:
        ordered = tuple(sorted(set(findings), key=rank))
        valid = not any(f.severity == Severity.ERROR.value for f in ordered)
        files = tuple(sorted(checked)) if checked is not None else None
        return cls(valid=valid, stats=dict(stats), findings=ordered, checked=files)

    @property
    def verdict(self) -> str:
        """``valid``, ``invalid``, or ``nothing checked`` when no file was."""
        if not self.valid:
            return "invalid"
        return "nothing checked" if self.checked == () else "valid"

    @property
    def summary(self) -> Summary:
        def count(wide: bool, severity: Severity) -> int:
            return sum(dataset_wide(f) is wide and f.severity == severity for f in self.findings)

        return Summary(
            files_checked=len(self.checked or ()),
            file_errors=count(False, Severity.ERROR),
            file_warnings=count(False, Severity.WARNING),
            dataset_files=self.stats.get("files", 0),
            dataset_errors=count(True, Severity.ERROR),
            dataset_warnings=count(True, Severity.WARNING),
        )

    @property
    def errors(self) -> int:
        return sum(f.severity == Severity.ERROR.value for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == Severity.WARNING.value for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": REPORT_FORMAT,
            "valid": self.valid,
            "verdict": self.verdict,
            "checked": list(self.checked) if self.checked is not None else None,
            "summary": self.summary.to_dict(),
            "stats": dict(sorted(self.stats.items())),
            "errors": self.errors,
            "warnings": self.warnings,
            "findings": [f.to_dict() for f in self.findings],
        }

    def flatten(self, fields: tuple[str, ...] = ("file", "pointer", "code")) -> list[list[Any]]:
        """The findings as lists of the chosen fields, for compact test assertions."""
        return [[getattr(f, name) for name in fields] for f in self.findings]


class Reporter(ABC):
    """Renders a Report to a stream; *quiet* leaves out what is not a finding (summaries)."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet

    @abstractmethod
    def report(self, report: Report, stream: TextIO) -> None: ...


class TextReporter(Reporter):
    """Compiler style: ``path:line:col: severity code message`` then the hint, then a summary;
    two lines per finding whatever its strings hold (:func:`printable`)."""

    def report(self, report: Report, stream: TextIO) -> None:
        write = _writer(stream)
        for f in report.findings:
            where = f"{printable(f.file)}:{f.line}:{f.column}"
            pointer = f" [{printable(f.pointer)}]" if f.pointer else ""
            write(
                f"{where}: {printable(f.severity)} {printable(f.code)} "
                f"{printable(f.message)}{pointer}\n"
            )
            write(f"    hint: {printable(f.hint)}\n")
        if not self.quiet:
            write(summary_lines(report))


def summary_lines(report: Report) -> str:
    """The closing lines of the text format: the verdict and counts, then the files checked
    and their findings, then the dataset-wide checks and theirs, each counted apart."""
    s, m = report.stats, report.summary
    lines = [f"{report.verdict}: {report.errors} error(s), {report.warnings} warning(s)"]
    if report.checked is not None:
        lines.append(
            f"  files checked: {m.files_checked}: "
            f"{m.file_errors} error(s), {m.file_warnings} warning(s)"
        )
    lines.append(
        f"  dataset-wide checks over {m.dataset_files} file(s): {m.dataset_errors} error(s), "
        f"{m.dataset_warnings} warning(s)"
        + (" in the files checked" if m.files_checked < m.dataset_files else "")
        + f"; {s.get('agreements', 0)} agreements, {s.get('actors', 0)} actors, "
        f"{s.get('dates', 0)} dates, {s.get('evidence', 0)} evidence spans"
    )
    return "".join(f"{line}\n" for line in lines)


class JsonReporter(Reporter):
    """The library report, as JSON: ``json.loads(output) == report.to_dict()``. JSON escapes
    the C0 controls; DEL, the C1 controls, the separators, the bidirectional controls and
    lone surrogates are written as ``\\uXXXX`` escapes too (a lone surrogate has no UTF-8
    form; a high one followed by a low one reads back as the pair's character, as JSON
    defines), and a stream that cannot encode every character gets ASCII with escapes."""

    def report(self, report: Report, stream: TextIO) -> None:
        _dump(report.to_dict(), stream)


class GithubReporter(Reporter):
    """GitHub Actions workflow commands, so a pull request shows each finding on its line.
    Line breaks get the runner's escapes (``%0D``, ``%0A``; and ``%3A``, ``%2C`` in
    properties), every other unsafe character the escape :func:`printable` gives it, so no
    finding can start a line of its own (a line starting with ``::`` is a command).

    GitHub shows at most :data:`GITHUB_SHOWN` annotations of each level per step: the most
    informative findings (the report's order) are those annotations, the rest are printed
    as plain lines of the log, and a notice counts them by code."""

    def report(self, report: Report, stream: TextIO) -> None:
        write = _writer(stream)
        shown = {"error": 0, "warning": 0}
        hidden: dict[str, int] = {}
        for f in report.findings:
            level = "error" if f.severity == Severity.ERROR.value else "warning"
            if shown[level] >= GITHUB_SHOWN:
                hidden[f.code] = hidden.get(f.code, 0) + 1
                where = f"{printable(f.file)}:{f.line}:{f.column}"
                write(f"{where}: {level} {printable(f.code)} {printable(f.message)}\n")
                continue
            shown[level] += 1
            props = (
                f"file={_prop(f.file)},line={max(f.line, 1)},col={max(f.column, 1)},"
                f"title={_prop(f.code)}"
            )
            write(f"::{level} {props}::{_data(f.message + ' ' + f.pointer + ' — ' + f.hint)}\n")
        if hidden:
            counts = ", ".join(f"{code} ×{n}" for code, n in sorted(hidden.items()))
            write(
                f"::notice title=more findings::{sum(hidden.values())} more finding(s) than "
                f"GitHub shows as annotations ({GITHUB_SHOWN} errors and {GITHUB_SHOWN} "
                f"warnings a step) are listed in the log: {_data(counts)}\n"
            )
        if not self.quiet:
            write(summary_lines(report))


#: How many annotations of each level GitHub shows for one step of a workflow.
GITHUB_SHOWN = 10


#: Characters printed as escapes in the text and GitHub formats: C0 controls (newline and tab
#: included), DEL, C1 controls, the line and paragraph separators, the bidirectional controls
#: (which reorder what a terminal shows) and lone surrogates (which have no UTF-8 form).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
#: The same, but leaving line breaks to the GitHub format's own escapes.
_UNSAFE_BUT_BREAKS = re.compile(
    "[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)
#: What XML 1.0 cannot hold that :func:`printable` leaves: U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\ufffe\uffff]")
#: What JSON leaves unescaped of those: all but the C0 controls.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(m: re.Match[str]) -> str:
    """The Python escape of the matched character: ``\\n``, ``\\x85``, ``\\u2028``."""
    return m.group(0).encode("unicode_escape").decode("ascii")


def _json_escape(m: re.Match[str]) -> str:
    """The JSON escape of the matched character (one of the Basic Multilingual Plane)."""
    return f"\\u{ord(m.group(0)):04x}"


def printable(s: str) -> str:
    """*s* with every control character, separator, bidirectional control and lone
    surrogate written as its Python escape (``\\n``, ``\\x85``, ``\\u2028``, ``\\ud800``);
    other text is untouched.

    >>> printable("a\\nb\\ud800")
    'a\\\\nb\\\\ud800'
    """
    return _UNSAFE.sub(_escape, s) if _UNSAFE.search(s) else s


def _data(s: str) -> str:
    """A workflow command's message: GitHub's escapes for ``%`` and line breaks, Python's
    for the other unsafe characters."""
    if _UNSAFE_BUT_BREAKS.search(s):
        s = _UNSAFE_BUT_BREAKS.sub(_escape, s)
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(s: str) -> str:
    """A workflow command's property value: :func:`_data`, and ``:`` and ``,`` escaped."""
    return _data(s).replace(":", "%3A").replace(",", "%2C")


def _encodes_everything(stream: TextIO) -> bool:
    """True when *stream* encodes every character (UTF-8, or a string buffer)."""
    encoding = getattr(stream, "encoding", None)
    return encoding is None or encoding.lower().replace("-", "").replace("_", "") in (
        "utf8",
        "utf8sig",
    )


def _writer(stream: TextIO) -> Callable[[str], object]:
    """How to write escaped text to *stream*: as it is when the stream encodes everything,
    else with a backslash escape for each character its encoding lacks."""
    if _encodes_everything(stream):
        return stream.write
    encoding = stream.encoding

    def write(text: str) -> object:
        return stream.write(text.encode(encoding, "backslashreplace").decode(encoding))

    return write


class SarifReporter(Reporter):
    """SARIF 2.1.0 (:func:`sarif_log`), the format GitHub code scanning uploads, as JSON
    escaped as the JSON format is."""

    def report(self, report: Report, stream: TextIO) -> None:
        _dump(sarif_log(report), stream)


#: The SARIF version written, and the schema its ``$schema`` names.
SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def sarif_log(report: Report) -> dict[str, Any]:
    """The report as one SARIF run: a rule per code found (title, hint, layer, level), a
    result per finding at its file, line and column, its JSON pointer as a logical location;
    file names are relative to the dataset root, a checkout's top folder."""
    codes = sorted({f.code for f in report.findings})
    rules = []
    for code in codes:
        rule = RULE_CODES.get(code)
        level = "warning" if rule is not None and rule.severity == Severity.WARNING else "error"
        rules.append(
            {
                "id": code,
                "shortDescription": {"text": rule.title if rule else code},
                "help": {"text": rule.hint if rule else ""},
                "defaultConfiguration": {"level": level},
                "properties": {"layer": rule.layer if rule else "unknown"},
            }
        )
    results = [_sarif_result(f, codes.index(f.code)) for f in report.findings]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "toolkit",
                        "fullName": "cnvn-toolkit validate",
                        "version": _version(),
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def _sarif_result(f: Finding, rule_index: int) -> dict[str, Any]:
    import hashlib

    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(f.file)},
            "region": {"startLine": max(f.line, 1), "startColumn": max(f.column, 1)},
        }
    }
    if f.pointer:
        location["logicalLocations"] = [{"fullyQualifiedName": f.pointer, "kind": "member"}]
    key = "\0".join((f.code, f.file, f.pointer, f.message)).encode("utf-8", "surrogatepass")
    return {
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": "error" if f.severity == Severity.ERROR.value else "warning",
        "message": {
            "text": f"{f.message} [{f.pointer}]\nhint: {f.hint}"
            if f.pointer
            else f"{f.message}\nhint: {f.hint}"
        },
        "locations": [location],
        "partialFingerprints": {"findingHash/v1": hashlib.sha256(key).hexdigest()},
    }


def _uri(file: str) -> str:
    """A dataset-relative file name as a relative URI reference (RFC 3986)."""
    from urllib.parse import quote

    return quote(file.encode("utf-8", "backslashreplace"), safe="/")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cnvn-toolkit")
    except PackageNotFoundError:  # pragma: no cover - run from a tree never installed
        return "0"


class JunitReporter(Reporter):
    """JUnit XML, which CI systems show as test results: a suite of the files checked (a
    test case per file, failing with its errors) and a suite of the dataset-wide checks (a
    test case per file they found something in); warnings go to the case's output."""

    def report(self, report: Report, stream: TextIO) -> None:
        import xml.etree.ElementTree as ET

        suites = ET.Element("testsuites", name="toolkit validate")
        by_file: dict[tuple[bool, str], list[Finding]] = {}
        for f in report.findings:
            by_file.setdefault((dataset_wide(f), f.file), []).append(f)
        files = sorted(set(report.checked or ()) | {file for _, file in by_file})
        wide = sorted(file for is_wide, file in by_file if is_wide)
        for name, is_wide, cases in (("files", False, files), ("dataset-wide checks", True, wide)):
            suite = ET.SubElement(suites, "testsuite", name=name)
            failures = 0
            for file in cases:
                found = by_file.get((is_wide, file), [])
                case = ET.SubElement(
                    suite, "testcase", classname=f"toolkit.{name}", name=printable(file)
                )
                errors = [f for f in found if f.severity == Severity.ERROR.value]
                if errors:
                    failures += 1
                    failure = ET.SubElement(
                        case,
                        "failure",
                        type=printable(errors[0].code),
                        message=f"{len(errors)} error(s): {printable(errors[0].message)}",
                    )
                    failure.text = "".join(_line(f) for f in errors)
                warnings = [f for f in found if f.severity != Severity.ERROR.value]
                if warnings:
                    ET.SubElement(case, "system-out").text = "".join(_line(f) for f in warnings)
            suite.set("tests", str(len(cases)))
            suite.set("failures", str(failures))
            suite.set("errors", "0")
        suites.set("tests", str(sum(int(s.get("tests", "0")) for s in suites)))
        suites.set("failures", str(sum(int(s.get("failures", "0")) for s in suites)))
        suites.set("errors", "0")
        ET.indent(suites)
        xml = ET.tostring(suites, encoding="unicode")
        write = _writer(stream)
        write('<?xml version="1.0" encoding="UTF-8"?>\n')
        write(_NOT_XML.sub(_escape, xml) + "\n")


def _line(f: Finding) -> str:
    """A finding as one line of the text format, and its hint."""
    pointer = f" [{printable(f.pointer)}]" if f.pointer else ""
    return (
        f"{printable(f.file)}:{f.line}:{f.column}: {printable(f.severity)} {printable(f.code)} "
        f"{printable(f.message)}{pointer}\n    hint: {printable(f.hint)}\n"
    )


def _dump(data: Any, stream: TextIO) -> None:
    """*data* as JSON on *stream*, escaped as :class:`JsonReporter` escapes."""
    utf = _encodes_everything(stream)
    text = json.dumps(data, indent=2, ensure_ascii=not utf, sort_keys=True)
    if utf:
        text = _JSON_UNSAFE.sub(_json_escape, text)
    stream.write(text)
    stream.write("\n")


REPORTERS: dict[str, type[Reporter]] = {
    "text": TextReporter,
    "json": JsonReporter,
    "github": GithubReporter,
    "sarif": SarifReporter,
    "junit": JunitReporter,
}
