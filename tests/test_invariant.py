"""The invariant of validation: any file's bytes, put among the annotations of a copy of the
real dataset, give exit status 0 or 1 with findings, never an exception or status 2, in
bounded time and memory, and every reporter prints the report.

The inputs are the real seed annotation files, mutated token by token (tokens deleted,
duplicated, swapped or repeated; numbers of every length and form; strings, keys as values,
holding escapes of every kind) and byte by byte (bits flipped, bytes inserted or deleted,
invalid UTF-8, byte-order marks, truncation). The default run checks a sample of about 750
files in batches (and a few through the command); the slow run (``pytest -m slow
tests/test_invariant.py``, or any run with ``TOOLKIT_FUZZ_CASES`` set) checks
``TOOLKIT_FUZZ_CASES`` files, 100,000 unless set. The defects the invariant found have a
test each, at the top.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import resource
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import REPO, copy_dataset, deadline
from toolkit.check.rule_codes import rule_codes
from toolkit.check.run import validate_dataset
from toolkit.cli import cli
from toolkit.findings import Finding
from toolkit.report import GITHUB_SHOWN, REPORTERS, Report, sarif_log, summary_lines

#: Codes whose hint is written for the case: what a schema violation needs written, and
#: the cause of references an actor removed from the registry leaves dangling.
WRITTEN_HINTS = ("schema-violation", "reference-unresolved")

TOOLKIT = str(Path(sys.executable).with_name("toolkit"))
ANNOTATIONS = "seeds/annotations"
#: Longest a batch of files may take to validate, and most memory a run may use (bytes).
BATCH_SECONDS = 120
MEMORY_LIMIT = 4 << 30

# ---------------------------------------------------------------------------------------------
# The seeds, as tokens


_TOKEN = re.compile(
    r'"(?:[^"\\]|\\.)*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null'
    r"|[{}\[\]:,]|\s+",
    re.DOTALL,
)


@dataclass(frozen=True)
class Seed:
    """A real annotation file: its name, its text and the text cut into JSON tokens (every
    character in one token), with the indices of the strings, numbers and other tokens."""

    name: str
    text: str
    tokens: tuple[str, ...]
    strings: tuple[int, ...]
    numbers: tuple[int, ...]
    solid: tuple[int, ...]


def _seed(path: Path) -> Seed:
    text = path.read_text("utf-8")
    tokens = tuple(_TOKEN.findall(text))
    assert "".join(tokens) == text, path
    kinds = [
        ("s" if t[0] == '"' else "n" if t[0] in "-0123456789" else "w" if t.isspace() else "o")
        for t in tokens
    ]
    return Seed(
        path.name,
        text,
        tokens,
        tuple(i for i, k in enumerate(kinds) if k == "s"),
        tuple(i for i, k in enumerate(kinds) if k == "n"),
        tuple(i for i, k in enumerate(kinds) if k != "w"),
    )


SEEDS = tuple(_seed(p) for p in sorted((REPO / ANNOTATIONS).glob("*.json")))

# ---------------------------------------------------------------------------------------------
# Mutations

#: Number literals: at and past the 64-bit bounds, past Python's 4,300-digit limit, floats
#: that overflow or underflow, JSON's non-numbers and malformed literals.
NUMBERS = (
    "0", "-0", "1", "-1", "0.0", "1.0", "2.5", "-2.5e3", "1E2", "1e+2", "0.1e1", "1e-7",
    "9223372036854775807", "9223372036854775808", "-9223372036854775808",
    "-9223372036854775809", "18446744073709551616", "1" + "0" * 25, "9" * 4300, "9" * 4301,
    "-" + "9" * 5000, "1" * 100_000, "1" * 50 + ".5", "1e308", "1e309", "-1e400", "1e-400",
    "4.9e-324", "1e99999999999999999999", "NaN", "Infinity", "-Infinity", "01", "1.", ".5",
    "+1", "0x1F", "1e", "--1", "1_000", "١",
)  # fmt: skip
#: Pieces of JSON string bodies: escapes of every kind (lone and paired surrogates, NUL,
#: controls, separators, invalid escapes) and raw characters (controls, astral, BOM).
ESCAPES = (
    "\\ud800", "\\udbff", "\\udc00", "\\udfff", "\\ud83d\\ude00", "\\ude00\\ud83d",
    "\\uD800\\u0041", "\\u0000", "\\u001f", "\\u007f", "\\u0085", "\\u2028", "\\u2029",
    "\\u202e", "\\ufeff", "\\uffff", "\\n", "\\r", "\\t", "\\b", "\\f", "\\/", '\\"', "\\\\",
    "\\x41", "\\u12", "\\uzzzz", "\\q", "\\", "\\u", "\x00", "\x01", "\x1b[31m", "\n", "\r",
    "\t", "\x7f", "\x85", "\u2028", "\u202e", "\ufeff", "𝄞", "😀", "\U0010ffff", "é", "中", "~",
    "/", "~1", "%", "::error::x", '"', ":", ",",
)  # fmt: skip
#: Whole values dropped in anywhere.
VALUES = (
    "null", "true", "false", "{}", "[]", '""', '"x"', "[[[[[[[[[[1]]]]]]]]]]", '{"a": {}}',
    '{"": ""}', "[1, 2, 3]", '"' + "x" * 100_000 + '"', "[" * 100 + "]" * 100,
    "{" * 70 + "}" * 70, "'x'", "undefined", "// comment", "/* c */",
)  # fmt: skip

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
STRINGS = st.lists(
    st.sampled_from(ESCAPES) | _TEXT.map(lambda s: json.dumps(s, ensure_ascii=False)[1:-1]),
    max_size=6,
).map(lambda parts: '"' + "".join(parts) + '"')
NUMBER = st.sampled_from(NUMBERS) | st.integers(-(2**80), 2**80).map(str) | st.floats().map(repr)
TOKEN = st.sampled_from(NUMBERS[:20] + VALUES + ("{", "}", "[", "]", ":", ",", " ", "\n")) | STRINGS


TOKEN_EDITS = st.sampled_from(
    ("delete", "duplicate", "swap", "repeat", "number", "string", "insert", "replace", "nest")
)
POSITION = st.floats(0, 1, exclude_max=True)


def _pick(indices: tuple[int, ...], at: float) -> int:
    """The index at fraction *at* of *indices*."""
    return indices[int(at * len(indices))]


@st.composite
def token_mutation(draw: st.DrawFn, seed: Seed) -> Callable[[list[str]], None]:
    """One edit of a seed's token list (applied in place)."""
    kind = draw(TOKEN_EDITS)
    if kind == "number" and seed.numbers:
        where, new = _pick(seed.numbers, draw(POSITION)), draw(NUMBER)
    elif kind == "string":
        where, new = _pick(seed.strings, draw(POSITION)), draw(STRINGS)
    else:
        where, new = _pick(seed.solid, draw(POSITION)), ""
    if kind == "swap":
        other = _pick(seed.solid, draw(POSITION))
    elif kind in ("insert", "replace"):
        new = draw(TOKEN)
    times = draw(st.integers(2, 2000)) if kind in ("repeat", "nest") else 1

    def edit(tokens: list[str]) -> None:
        if kind == "delete":
            tokens[where] = ""
        elif kind == "duplicate":
            tokens[where] += tokens[where]
        elif kind == "swap":
            tokens[where], tokens[other] = tokens[other], tokens[where]
        elif kind == "repeat":
            tokens[where] = ",".join([tokens[where]] * times)
        elif kind in ("number", "string", "replace"):
            tokens[where] = new
        elif kind == "insert":
            tokens[where] = new + tokens[where]
        else:
            tokens[where] = "[" * times + tokens[where] + "]" * times

    return edit


BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")
#: Byte sequences that are not UTF-8: stray continuation bytes, overlong forms, surrogates
#: encoded, code points past U+10FFFF, truncated sequences.
BAD_UTF8 = (
    b"\x80", b"\xbf", b"\xc0\xaf", b"\xc1\xbf", b"\xe0\x80\xaf", b"\xed\xa0\x80",
    b"\xed\xbf\xbf", b"\xf4\x90\x80\x80", b"\xf5", b"\xff", b"\xfe", b"\xc3", b"\xe2\x82",
    b"\xf0\x9f\x98", b"\x00", b"\r", b"\x1a",
)  # fmt: skip
BYTE_EDITS = st.sampled_from(
    ("flip", "insert", "delete", "truncate", "bom", "utf16", "chunk", "bad-utf8", "empty")
)


@st.composite
def byte_mutation(draw: st.DrawFn) -> Callable[[bytes], bytes]:
    """One edit of a file's bytes."""
    kind = draw(BYTE_EDITS)
    at = draw(POSITION)
    width = draw(st.integers(1, 64)) if kind in ("delete", "chunk") else 1
    bit = draw(st.integers(0, 7)) if kind in ("flip", "empty") else 0
    insert = (
        draw(st.binary(min_size=1, max_size=16))
        if kind == "insert"
        else draw(st.sampled_from(BOMS))
        if kind == "bom"
        else draw(st.sampled_from(BAD_UTF8))
        if kind == "bad-utf8"
        else b""
    )

    def edit(data: bytes) -> bytes:
        k = int(at * len(data))
        if kind == "flip":
            return data[:k] + bytes([data[k] ^ (1 << bit)]) + data[k + 1 :] if data else data
        if kind in ("insert", "bad-utf8"):
            return data[:k] + insert + data[k:]
        if kind == "delete":
            return data[:k] + data[k + width :]
        if kind == "truncate":
            return data[:k]
        if kind == "bom":
            return insert + data
        if kind == "utf16":
            return data.decode("utf-8", "surrogateescape").encode("utf-16", "surrogatepass")
        if kind == "chunk":
            return data[:k] + data[k : k + width] * 2 + data[k + width :]
        return b"" if bit < 4 else b" \n\t\r"

    return edit


@st.composite
def mutated_file(draw: st.DrawFn, tokens: bool = True, raw: bool = True) -> tuple[str, bytes]:
    """A seed's name and its bytes after a few token-level and byte-level edits (at least
    one of the kinds asked for)."""
    seed = draw(st.sampled_from(SEEDS))
    token_edits = (
        draw(st.lists(token_mutation(seed), min_size=int(not raw), max_size=4)) if tokens else []
    )
    listed = list(seed.tokens)
    for edit in token_edits:
        edit(listed)
    data = "".join(listed).encode("utf-8", "surrogatepass")
    if raw:
        fewest = int(not token_edits)
        for change in draw(st.lists(byte_mutation(), min_size=fewest, max_size=3)):
            data = change(data)
    return seed.name, data


# ---------------------------------------------------------------------------------------------
# The check of one batch of files


def rendered(report: Report) -> dict[str, str]:
    """The report in every format, each written to a strict UTF-8 stream, checked: one line
    per finding and its hint in text, one command per finding in GitHub's, and JSON that
    decodes to the report."""
    out: dict[str, str] = {}
    for fmt, reporter in REPORTERS.items():
        buffer = io.BytesIO()
        stream = io.TextIOWrapper(buffer, encoding="utf-8", errors="strict", newline="")
        reporter().report(report, stream)
        stream.flush()
        out[fmt] = buffer.getvalue().decode("utf-8")
    n = len(report.findings)
    closing = summary_lines(report).count("\n")
    text = out["text"].split("\n")
    assert len(text) == 2 * n + closing + 1 and text[-1] == "", out["text"][:2000]
    assert all(line.startswith("    hint: ") for line in text[1 : 2 * n : 2])
    github = out["github"].split("\n")
    errors = sum(f.severity == "error" for f in report.findings)
    shown = min(errors, GITHUB_SHOWN) + min(n - errors, GITHUB_SHOWN)
    notice = int(shown < n)
    assert len(github) == n + notice + closing + 1 and github[-1] == ""
    commands = [line for line in github if line.startswith("::")]
    assert len(commands) == shown + notice
    assert all(line.startswith(("::error ", "::warning ")) for line in commands[:shown])
    assert json.loads(out["json"]) == report.to_dict()
    assert json.loads(out["sarif"]) == sarif_log(report)
    ET.fromstring(out["junit"])
    return out


def check_findings(findings: tuple[Finding, ...]) -> None:
    """Every finding is located and carries a declared code with its severity, and a hint:
    the code's, or the one its rule wrote for the case (the statuses a trigger allows, the
    ids close to a misspelt one)."""
    codes = rule_codes()
    for f in findings:
        assert f.line >= 1 and f.column >= 1, f
        assert f.code in codes and f.severity == codes[f.code].severity.value and f.hint, f
        # a schema violation's hint says what to write, a removed actor's says so, a
        # misspelt id's names the close ones, a trigger's the statuses it allows
        assert (
            f.hint == codes[f.code].hint
            or f.code in WRITTEN_HINTS
            or f.hint.startswith(("Did you mean", "Set "))
        ), f


class Workspace:
    """A copy of the real dataset where batches of files are written among the annotations,
    validated and removed; it counts the files checked."""

    def __init__(self, root: Path) -> None:
        self.root = copy_dataset(REPO, root)
        self.folder = self.root / ANNOTATIONS
        self.originals = {p.name: p.read_bytes() for p in self.folder.glob("*.json")}
        self.checked = 0

    @contextlib.contextmanager
    def files(self, batch: list[tuple[str, bytes]]) -> Iterator[list[Path]]:
        """Write *batch* (seed name, bytes): the first file of each seed in place of it, the
        others beside it; restore the dataset afterwards."""
        written: list[Path] = []
        try:
            for i, (name, data) in enumerate(batch):
                path = self.folder / name
                if path in written:
                    path = self.folder / f"{i:03d}_fuzz.json"
                path.write_bytes(data)
                written.append(path)
            yield written
        finally:
            for path in written:
                if path.name in self.originals:
                    path.write_bytes(self.originals[path.name])
                else:
                    path.unlink(missing_ok=True)

    def check(self, batch: list[tuple[str, bytes]]) -> Report:
        """Validate the dataset with *batch* in it, check the findings and their rendering.

        :raises AssertionError: naming the first file of the batch that fails on its own
            (its bytes saved beside the dataset), when the batch fails.
        """
        try:
            report = self._check(batch)
        except BaseException as exc:
            if len(batch) == 1 or isinstance(exc, KeyboardInterrupt):
                raise
            for i, case in enumerate(batch):
                try:
                    self._check([case])
                except BaseException as alone:
                    saved = self.root.parent / f"failing-{i}.json"
                    saved.write_bytes(case[1])
                    raise AssertionError(
                        f"{type(alone).__name__} on {saved} (in place of {case[0]})"
                    ) from alone
            raise
        self.checked += len(batch)
        return report

    def _check(self, batch: list[tuple[str, bytes]]) -> Report:
        with self.files(batch) as written, deadline(BATCH_SECONDS):
            report = validate_dataset(self.root, paths=written, cache=False).report
            check_findings(report.findings)
            rendered(report)
        return report


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return Workspace(tmp_path_factory.mktemp("invariant") / "repo")


SAMPLE = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)  # fmt: skip

# ---------------------------------------------------------------------------------------------
# The defects the invariant found, each once


def test_an_integer_past_4300_digits_is_a_finding_with_its_position(tmp_path: Path) -> None:
    root = copy_dataset(REPO, tmp_path / "repo")
    path = root / ANNOTATIONS / SEEDS[0].name
    path.write_text(
        re.sub(r'"start": \d+', '"start": ' + "9" * 5000, SEEDS[0].text, count=1), "utf-8"
    )
    result = CliRunner().invoke(
        cli, ["validate", "--root", str(root), "--no-cache"], catch_exceptions=False
    )
    assert result.exit_code == 1
    line, column = _position(SEEDS[0].text, '"start": ', 9)
    assert (
        f"{ANNOTATIONS}/{SEEDS[0].name}:{line}:{column}: error json-number-out-of-range "
        "999999999999999999999999999999… (5000 characters) does not fit in 64 bits"
    ) in result.output


def _position(text: str, before: str, skip: int) -> tuple[int, int]:
    """Line and column of the character *skip* characters into the first *before*."""
    offset = text.index(before) + skip
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def test_a_lone_surrogate_in_a_key_is_printed_in_every_format(tmp_path: Path) -> None:
    root = copy_dataset(REPO, tmp_path / "repo")
    path = root / ANNOTATIONS / SEEDS[0].name
    path.write_text(SEEDS[0].text.replace("{", '{"\\ud800": 1, ', 1), "utf-8")
    for fmt in REPORTERS:
        done = subprocess.run(
            [TOOLKIT, "validate", "--root", str(root), "--no-cache", "--format", fmt],
            capture_output=True,
            timeout=120,
            env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        )
        assert done.returncode == 1, done.stderr
        output = done.stdout.decode("utf-8")
        assert "\\ud800" in output and "json-lone-surrogate" in output
        if fmt == "json":
            found = json.loads(output)["findings"]
            assert any(f["pointer"] == "/\ud800" for f in found)


UNSAFE = "\x00\x1b[2J\t\n::error file=x::owned\r\x7f\x85\u2028\u2029\u202e\ud800 \udfff"


def test_every_reporter_prints_any_string_escaped() -> None:
    finding = Finding(
        file=f"seeds/annotations/{UNSAFE}.json",
        line=3,
        column=4,
        pointer=f"/{UNSAFE}",
        code="json-syntax",
        message=f"message {UNSAFE}",
        hint=f"hint {UNSAFE}",
    )
    report = Report.from_findings([finding], {"files": 1})
    out = rendered(report)
    first = out["text"].split("\n")[0]
    assert first.startswith("seeds/annotations/\\x00\\x1b[2J\\t\\n::error file=x::owned\\r\\x7f")
    assert "\\x85\\u2028\\u2029\\u202e\\ud800 \\udfff.json:3:4: error json-syntax" in first
    command = out["github"].split("\n")[0]
    assert command.startswith("::error file=seeds/annotations/\\x00\\x1b[2J\\t%0A%3A%3Aerror")
    assert "\n" not in command and "\r" not in command and "\u2028" not in command
    assert not re.search(
        "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202e\ud800-\udfff]", out["json"]
    )


def test_a_file_name_with_a_line_break_stays_on_its_line(
    tmp_path: Path,
) -> None:
    root = copy_dataset(REPO, tmp_path / "repo")
    (root / ANNOTATIONS / "x\n::error file=evil.json::pwned.json").write_text("{", "utf-8")
    for fmt in ("text", "github"):
        result = CliRunner().invoke(
            cli, ["validate", "--root", str(root), "--no-cache", "--format", fmt],
            catch_exceptions=False,
        )  # fmt: skip
        assert result.exit_code == 1
        lines = result.output.splitlines()
        assert not any(line.startswith("::error file=evil") for line in lines)
        closing = 3  # the verdict, the files checked, the dataset-wide checks
        assert len(lines) == (2 if fmt == "text" else 1) + closing


def test_a_lone_surrogate_in_the_id_of_a_record_set_aside_is_a_finding(tmp_path: Path) -> None:
    """The id of a record set aside for its schema reaches the dataset-wide checks (polars
    could not hold the surrogate: a UnicodeEncodeError)."""
    root = copy_dataset(REPO, tmp_path / "repo")
    seed = next(s for s in SEEDS if '"date_id": "dat-003-this-year",\n' in s.text)
    path = root / ANNOTATIONS / seed.name
    broken = seed.text.replace('"date_id": "dat-003-this-year",\n', '"date_id": "\\ud800",\n', 1)
    path.write_text(broken, "utf-8")
    report = validate_dataset(root, paths=[path]).report
    assert ("/dates/0/date_id", "json-lone-surrogate") in {
        (f.pointer, f.code) for f in report.findings
    }
    rendered(report)


def test_an_offset_written_as_an_integral_float_is_the_integer(tmp_path: Path) -> None:
    """JSON Schema takes 20.0 for an integer, so the rules must too (slicing by a float
    was a TypeError)."""
    root = copy_dataset(REPO, tmp_path / "repo")
    path = root / ANNOTATIONS / SEEDS[0].name
    edited = re.sub(r'"start": (\d+),', r'"start": \1.0,', SEEDS[0].text)
    edited = re.sub(r'"end": (\d+)', r'"end": \1e0', edited)
    path.write_text(edited, "utf-8")
    assert validate_dataset(root, paths=[path]).report.findings == ()


def test_a_quote_found_everywhere_is_listed_five_times_and_counted(tmp_path: Path) -> None:
    root = copy_dataset(REPO, tmp_path / "repo")
    path = root / ANNOTATIONS / SEEDS[0].name
    path.write_text(re.sub(r'"quote": "[^"]*"', '"quote": "a"', SEEDS[0].text, count=1), "utf-8")
    findings = validate_dataset(root, paths=[path]).report.findings
    [finding] = [f for f in findings if f.code == "evidence-quote-mismatch"]
    place = r"\d+-\d+ \(line \d+, col \d+\)"
    assert re.search(rf"the quote occurs at ({place}, ){{4}}{place} and \d+ more$", finding.message)


def test_a_reporter_on_a_narrow_stream_escapes_what_it_cannot_encode() -> None:
    finding = Finding("seeds/annotations/é中😀.json", 1, 1, "", "json-syntax", "é\ud800")
    report = Report.from_findings([finding], {})
    for fmt, reporter in REPORTERS.items():
        buffer = io.BytesIO()
        stream = io.TextIOWrapper(buffer, encoding="ascii", errors="strict")
        reporter().report(report, stream)
        stream.flush()
        output = buffer.getvalue().decode("ascii")
        if fmt == "json":
            assert json.loads(output) == report.to_dict()
        elif fmt == "sarif":
            assert json.loads(output) == sarif_log(report)
        else:
            assert "\\xe9\\u4e2d\\U0001f600.json" in output


# ---------------------------------------------------------------------------------------------
# The invariant: a sample in every run


@SAMPLE
@given(batch=st.lists(mutated_file(raw=False), min_size=8, max_size=24))
def test_token_mutations_of_real_files_give_findings_never_a_crash(
    workspace: Workspace, batch: list[tuple[str, bytes]]
) -> None:
    workspace.check(batch)


@SAMPLE
@given(batch=st.lists(mutated_file(tokens=False), min_size=8, max_size=24))
def test_byte_mutations_of_real_files_give_findings_never_a_crash(
    workspace: Workspace, batch: list[tuple[str, bytes]]
) -> None:
    workspace.check(batch)


@settings(SAMPLE, max_examples=20)
@given(batch=st.lists(mutated_file(), min_size=8, max_size=24))
def test_mixed_mutations_of_real_files_give_findings_never_a_crash(
    workspace: Workspace, batch: list[tuple[str, bytes]]
) -> None:
    workspace.check(batch)


@settings(SAMPLE, max_examples=6)
@given(case=mutated_file(), fmt=st.sampled_from(sorted(REPORTERS)))
def test_the_cli_exits_zero_or_one_on_mutated_files(
    workspace: Workspace, case: tuple[str, bytes], fmt: str
) -> None:
    with workspace.files([case]) as [path], deadline(BATCH_SECONDS):
        result = CliRunner().invoke(
            cli,
            ["validate", "--root", str(workspace.root), "--no-cache", "--format", fmt, str(path)],
            catch_exceptions=False,
        )
    assert result.exit_code in (0, 1), result.output
    if fmt == "json":
        assert json.loads(result.output)["valid"] is (result.exit_code == 0)


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@settings(SAMPLE, max_examples=2)
@given(case=mutated_file())
def test_the_installed_command_exits_zero_or_one_in_bounded_memory(
    workspace: Workspace, case: tuple[str, bytes]
) -> None:
    with workspace.files([case]) as [path]:
        done = subprocess.run(
            [TOOLKIT, "validate", "--root", str(workspace.root), "--no-cache", str(path)],
            capture_output=True,
            text=True,
            timeout=BATCH_SECONDS,
            preexec_fn=_limit_memory,
        )
    assert done.returncode in (0, 1), done.stderr


# ---------------------------------------------------------------------------------------------
# The invariant: the slow run


def fuzz_cases(config: pytest.Config) -> int | None:
    """How many files the slow run checks: ``TOOLKIT_FUZZ_CASES``, else 100,000 when slow
    tests are selected (``-m slow``), else None (the run takes the better part of an hour, so
    a run of the whole suite leaves it out)."""
    if os.environ.get("TOOLKIT_FUZZ_CASES"):
        return int(os.environ["TOOLKIT_FUZZ_CASES"])
    selected = config.option.markexpr.replace(" ", "")
    return 100_000 if "slow" in selected and "notslow" not in selected else None


@pytest.mark.slow
def test_the_invariant_holds_over_many_mutated_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], pytestconfig: pytest.Config
) -> None:
    """``TOOLKIT_FUZZ_CASES`` files (100,000 with ``-m slow``), token, byte and mixed
    mutations in turn, in batches of 64, not shrunk (a failing batch names its file); the
    figures are printed."""
    target = fuzz_cases(pytestconfig)
    if target is None:
        pytest.skip("select it with -m slow, or set TOOLKIT_FUZZ_CASES")
    space = Workspace(tmp_path / "repo")
    batch = 64
    rounds = {
        "token": mutated_file(raw=False),
        "byte": mutated_file(tokens=False),
        "mixed": mutated_file(),
    }
    started = time.monotonic()
    counts = dict.fromkeys(rounds, 0)
    while space.checked < target:
        for name, strategy in rounds.items():
            before = space.checked

            @settings(
                max_examples=max(1, min(50, (target - space.checked) // batch)),
                deadline=None,
                database=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(files=st.lists(strategy, min_size=batch, max_size=batch))
            def run(files: list[tuple[str, bytes]]) -> None:
                space.check(files)

            run()
            counts[name] += space.checked - before
            if space.checked >= target:
                break
    elapsed = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    with capsys.disabled():
        print(
            f"\ninvariant: {space.checked} files checked ({counts}) in {elapsed:.0f} s, "
            f"peak memory {peak >> 20} MiB"
        )
    assert space.checked >= target
    assert peak < MEMORY_LIMIT
