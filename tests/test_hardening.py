"""Hostile datasets and failing environments: no network, nothing read outside the dataset,
nothing lost when an export is killed, serialized concurrent exports, a full disk."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from filelock import FileLock
from pytest_socket import disable_socket, enable_socket

from conftest import folder_bytes
from toolkit.check.run import validate_dataset
from toolkit.errors import ExportFailed
from toolkit.publish.export import export_dataset

A1 = "seeds/annotations/900_00000000000000a1.json"


def _edit(root: Path, **changes: object) -> None:
    path = root / A1
    doc = json.loads(path.read_text("utf-8"))
    for pointer, value in changes.items():
        *parents, last = pointer.split("__")
        node = doc
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[last] = value
    path.write_text(json.dumps(doc), encoding="utf-8")


def test_validation_and_export_run_with_sockets_disabled(small: Path) -> None:
    _edit(small, **{"$schema": "https://example.com/remote.schema.json"})
    disable_socket()
    try:
        with pytest.raises(Exception, match="socket"):
            __import__("socket").socket()
        report = validate_dataset(small).report
        assert [f.code for f in report.findings] == ["schema-pointer-mismatch"]
        _edit(small, **{"$schema": "../../schemas/1.0.0/annotation.schema.json"})
        assert export_dataset(small).written
    finally:
        enable_socket()


@pytest.mark.parametrize(
    "path",
    [
        "seeds/articles/../../../etc/passwd",
        "/etc/passwd",
        "seeds/articles/000_c9643dd3023e532a.txt/../../x.txt",
    ],
)
def test_a_source_path_escaping_seeds_is_refused(small: Path, path: str) -> None:
    _edit(small, source__path=path)
    report = validate_dataset(small).report
    assert {(f.pointer, f.code) for f in report.findings} == {("/source/path", "schema-violation")}


def test_a_symlinked_annotation_leaving_the_tree_is_not_read(small: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text((small / A1).read_text("utf-8"))
    link = small / "seeds" / "annotations" / "900_00000000000000c3.json"
    link.symlink_to(outside)
    report = validate_dataset(small).report
    assert [(f.file, f.code) for f in report.findings] == [
        ("seeds/annotations/900_00000000000000c3.json", "file-unreadable")
    ]


def test_a_file_name_not_utf8_is_a_finding(small: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    folder = os.fsencode(small / "seeds" / "annotations")
    with open(os.path.join(folder, b"900_00000000000000a1 copy\xff.json"), "wb") as f:
        f.write((small / A1).read_bytes())  # a copy: were it read, its ids would be duplicates
    shown = "seeds/annotations/900_00000000000000a1 copy\\xff.json"
    for cache in (True, False, True):
        report = validate_dataset(small, cache=cache).report
        assert [(f.file, f.code) for f in report.findings] == [(shown, "file-name-invalid")]
        assert report.stats["files"] == 4 and not report.valid
    result = run_cli("validate", "--root", str(small), "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.output)["findings"][0]["file"] == shown
    named = run_cli(
        "validate",
        "--root",
        str(small),
        os.fsdecode(os.path.join(folder, b"900_00000000000000a1 copy\xff.json")),
    )
    assert named.exit_code == 1 and f"{shown}:1:1: error file-name-invalid" in named.output
    result = export_dataset(small)
    assert not result.written and [f.code for f in result.report.findings] == ["file-name-invalid"]
    assert not (small / "exports").exists()


def test_a_link_loop_is_a_finding_not_a_crash(small: Path) -> None:
    folder = small / "seeds" / "annotations"
    (folder / "900_00000000000000c4.json").symlink_to(folder / "900_00000000000000c5.json")
    (folder / "900_00000000000000c5.json").symlink_to(folder / "900_00000000000000c4.json")
    report = validate_dataset(small).report
    assert {(f.file.rsplit("/", 1)[-1], f.code) for f in report.findings} == {
        ("900_00000000000000c4.json", "file-unreadable"),
        ("900_00000000000000c5.json", "file-unreadable"),
    }


def test_a_symlinked_article_is_not_read(small: Path, tmp_path: Path) -> None:
    article = small / "seeds" / "articles" / "900_00000000000000a1.txt"
    outside = tmp_path / "article.txt"
    outside.write_bytes(article.read_bytes())
    article.unlink()
    article.symlink_to(outside)
    codes = {f.code for f in validate_dataset(small).report.findings}
    assert codes == {"source-missing"}


def test_an_article_that_is_not_utf8_is_a_finding_not_a_crash(small: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    article = small / "seeds" / "articles" / "900_00000000000000a1.txt"
    data = article.read_bytes()
    second_line = data.index(b"\n") + 1
    article.write_bytes(data[:second_line] + b"ab\xff" + data[second_line:])
    findings = validate_dataset(small).report.findings
    assert {(f.file, f.pointer, f.code) for f in findings} == {
        (A1, "/source/article_id", "encoding-invalid"),
        (A1, "/source/sha256", "source-hash-mismatch"),
    }
    encoding = next(f for f in findings if f.code == "encoding-invalid")
    assert "byte 0xff at line 2, column 3" in encoding.message
    assert run_cli("validate", "--root", str(small)).exit_code == 1


def test_regex_heavy_values_are_checked_in_bounded_time(small: Path) -> None:
    _edit(
        small,
        agreements__0__agreement_id="agr-" + "a-" * 200_000 + "!",
        agreements__0__canonical_key="a" * 1_000_000,
    )
    started = time.perf_counter()
    report = validate_dataset(small).report
    assert time.perf_counter() - started < 30
    assert {f.code for f in report.findings} == {"schema-violation"}


def test_zero_width_and_nbsp_in_quotes_are_not_normalized(small: Path) -> None:
    doc = json.loads((small / A1).read_text("utf-8"))
    evidence = doc["agreements"][0]["evidence"][0]
    _edit(small, agreements__0__evidence__0__quote=evidence["quote"].replace(" ", "\u00a0", 1))
    [finding] = validate_dataset(small).report.findings
    assert finding.code == "evidence-quote-mismatch"
    assert "does not occur in the article at all" in finding.message
    _edit(
        small,
        agreements__0__evidence__0__quote=evidence["quote"][:3] + "\u200b" + evidence["quote"][3:],
    )
    [finding] = validate_dataset(small).report.findings
    assert finding.code == "evidence-quote-mismatch"


def test_concurrent_exports_are_serialized_and_the_second_says_so(small: Path) -> None:
    messages: list[str] = []
    holder = FileLock(str(small / "exports.lock"))
    holder.acquire()
    worker = threading.Thread(target=lambda: export_dataset(small, on_wait=messages.append))
    worker.start()
    for _ in range(200):
        if messages:
            break
        time.sleep(0.05)
    assert messages and "another export holds" in messages[0]
    assert not (small / "exports").exists()
    holder.release()
    worker.join(timeout=60)
    assert (small / "exports" / "SHA256SUMS").is_file()


def test_a_full_disk_leaves_the_previous_exports(small: Path) -> None:
    export_dataset(small)
    before = folder_bytes(small / "exports")
    (small / "seeds" / "dataset.json").write_text('{"version": "2.0.0"}')

    def full(table: str) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(ExportFailed, match="No space left on device"):
        export_dataset(small, hook=full)
    assert folder_bytes(small / "exports") == before
    assert not list(small.glob("exports.tmp-*"))


@contextlib.contextmanager
def _full_file_system(folder: Path) -> Iterator[None]:
    """*folder* as a file system of one page: folders and empty files fit, nothing more."""
    if os.geteuid() != 0:
        pytest.skip("mounting a file system needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4k", "tmpfs", str(folder)], check=False
    )
    if mounted.returncode != 0:
        pytest.skip("no tmpfs mount here")
    try:
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_full_scratch_folder_is_a_clear_error_and_leaves_the_exports(
    small: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    export_dataset(small)
    before = folder_bytes(small / "exports")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # TMPDIR is read again
    with _full_file_system(scratch):
        with pytest.raises(
            ExportFailed, match=r"scratch copies .*\(No space left on device.*TMPDIR"
        ):
            export_dataset(small)
        assert not list(scratch.iterdir())  # the scratch folder is removed
    assert folder_bytes(small / "exports") == before


def test_a_lone_surrogate_refuses_the_export_with_its_finding(small: Path) -> None:
    """A document with a lone surrogate is reported (json-lone-surrogate) and the export is
    refused like any invalid dataset; nothing tries to write the text as UTF-8 or Arrow."""
    path = sorted((small / "seeds" / "annotations").glob("*.json"))[0]
    text = path.read_text("utf-8")
    marker = '"title_as_reported": "'
    assert marker in text
    path.write_text(text.replace(marker, marker + "\\ud800", 1), "utf-8")
    result = export_dataset(small)
    assert not result.written and not result.report.valid
    assert "json-lone-surrogate" in {f.code for f in result.report.findings}
    assert not (small / "exports").exists()


SLOW_EXPORT = """
import sys, time
import toolkit.publish.export as export
def hook(table):
    print("table", table, flush=True)
    time.sleep(30)
export.export_dataset(sys.argv[1], hook=hook)
"""


def test_sigterm_during_export_leaves_previous_exports_and_no_temp_files(small: Path) -> None:
    export_dataset(small)
    before = folder_bytes(small / "exports")
    (small / "seeds" / "dataset.json").write_text('{"version": "3.0.0"}')
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_EXPORT, str(small)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("table ")
    assert list(small.glob("exports.tmp-*"))
    os.kill(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)
    assert proc.returncode != 0
    assert folder_bytes(small / "exports") == before
    assert not list(small.glob("exports.tmp-*")) and not list(small.glob("exports.old-*"))


def test_an_export_killed_mid_swap_is_recovered_by_the_next(small: Path) -> None:
    export_dataset(small)
    before = folder_bytes(small / "exports")
    (small / "exports").rename(small / "exports.old-12345")
    (small / "exports.tmp-12345").mkdir()
    assert export_dataset(small).written
    assert export_dataset(small, check=True).differences == []
    assert folder_bytes(small / "exports") == before
    assert sorted(p.name for p in small.iterdir()) == ["exports", "exports.lock", "seeds"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('"actor_id": "act-', '"actor_id": "\\ud800act-'),  # a lone surrogate in an id
        ('"agreement_id": "', '"agreement_id": "\\udfff'),
        ('"$schema": "../../schemas/1.0.0/annotation.schema.json"', '"$schema": 1'),
        ('"$schema": "../../schemas/1.0.0/annotation.schema.json"', '"$schema": {}'),
        ('"$schema": "../../schemas/1.0.0/annotation.schema.json"', '"$schema": true'),
    ],
)
def test_ids_and_schema_pointers_of_any_kind_are_findings(small: Path, old: str, new: str) -> None:
    """A record whose id holds a lone surrogate is set aside without crashing the dataset-wide
    checks; a $schema that is not a string is a finding (both were internal errors)."""
    path = small / A1
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    out = subprocess.run(
        [
            str(Path(sys.executable).with_name("toolkit")),
            "validate",
            "--no-cache",
            "--root",
            str(small),
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1, out.stderr
    assert "internal error" not in out.stderr
    assert ": error " in out.stdout
