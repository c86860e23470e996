"""The result cache: a run that reuses cached results reports exactly what a run without the
cache reports, after every kind of edit, and checks again only the files that changed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import REPO
from toolkit.check.result_cache import cache_folder
from toolkit.check.run import validate_dataset
from toolkit.cli import cli
from toolkit.dataset import Dataset

try:
    from bench.generate import generate
except ModuleNotFoundError:
    sys.path.insert(0, str(REPO))
    from bench.generate import generate


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cache-corpus")
    generate(900, 11, root, invalid_fraction=0.25)
    return root


@pytest.fixture
def root(corpus: Path, tmp_path: Path) -> Path:
    shutil.copytree(corpus, tmp_path / "ds")
    return tmp_path / "ds"


def _report(root: Path, cache: bool) -> tuple[dict[str, Any], int]:
    validated = validate_dataset(root, cache=cache, jobs=1)
    return validated.report.to_dict(), validated.reused


def _unread(root: Path) -> int:
    """Files whose bytes the checks never read (too large, a folder): while their status has
    not settled, nothing shows they are unchanged, so they are checked again."""
    return sum(r.sha256 is None for r in validate_dataset(root, jobs=1).files)


def _files(root: Path) -> list[Path]:
    return sorted((root / "seeds" / "annotations").glob("*.json"))


def _edit_json(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    doc = json.loads(path.read_text("utf-8"))
    change(doc)
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", "utf-8")


def _prepend_note(path: Path) -> None:
    """Add a top-level note as the first key: every line below moves down one, and no
    row the dataset-wide checks read changes."""
    doc = json.loads(path.read_text("utf-8"))
    doc = {"notes": "A note that moves every line down.", **doc}
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", "utf-8")


def _first_agreement_id(path: Path) -> str:
    doc = json.loads(path.read_text("utf-8"))
    return str(next(a for a in doc["agreements"] if a)["agreement_id"])


def _set_agreement_id(value: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        next(a for a in doc["agreements"] if a)["agreement_id"] = value

    return change


def _edits(root: Path) -> list[tuple[str, Callable[[], None], int]]:
    """(what, edit, files it changes)."""
    files = _files(root)
    article = root / "seeds" / "articles" / (files[3].stem + ".txt")
    taken = _first_agreement_id(files[1])
    added = files[6].with_name("999_" + files[6].name[4:])

    def duplicate() -> None:
        _edit_json(files[2], _set_agreement_id(taken))

    def unduplicate() -> None:
        _edit_json(files[2], _set_agreement_id("agr-unique-x"))

    def unparseable() -> None:
        files[4].write_text('{"schema_version": ', "utf-8")

    def registry() -> None:
        _edit_json(root / "seeds" / "actors.json", lambda d: d["actors"].pop())

    return [
        ("an id now used twice across files", duplicate, 1),
        ("a note added above that duplicate", lambda: _prepend_note(files[2]), 1),
        ("the duplicate removed again", unduplicate, 1),
        ("a file no longer parses", unparseable, 1),
        ("an article's text changed", lambda: article.write_text("replaced\n", "utf-8"), 1),
        ("a file removed", files[5].unlink, 0),
        ("a file added", lambda: shutil.copy(files[6], added), 1),
        ("the actor registry edited", registry, 0),
    ]


@pytest.mark.parametrize("mode", ["hashing", "status", "keep-old-cache"])
def test_cached_runs_report_what_uncached_runs_report_after_each_edit(
    root: Path, mode: str, monkeypatch: Any
) -> None:
    """``status``: every file's status counts as settled, so an unchanged status alone lets a
    result be reused; ``hashing``: no status counts, every file is hashed; ``keep-old-cache``:
    the cache is never rewritten after the first run, so every file edited since is checked
    again on each run."""
    if mode == "status":
        monkeypatch.setattr("toolkit.check.result_cache.SLACK_NS", -(10**15))
    else:  # no status ever counts as settled: every file is read and hashed
        monkeypatch.setattr("toolkit.check.result_cache.SLACK_NS", 10**18)
    if mode == "keep-old-cache":
        monkeypatch.setattr("toolkit.check.result_cache.RESAVE_FRACTION", 1.0)
    expected, _ = _report(root, cache=False)
    assert not expected["valid"]
    unread = 0 if mode == "status" else _unread(root)
    assert mode == "status" or unread > 0
    cold, reused = _report(root, cache=True)
    assert (cold, reused) == (expected, 0)
    warm, reused = _report(root, cache=True)
    assert (warm, reused) == (expected, len(_files(root)) - unread)
    edited = 0
    for what, edit, changed in _edits(root):
        edit()
        edited += changed
        expected, _ = _report(root, cache=False)
        got, reused = _report(root, cache=True)
        assert got == expected, what
        if mode == "keep-old-cache":
            assert len(_files(root)) - edited - unread <= reused, what
            assert reused <= len(_files(root)) - changed - unread, what
        else:
            assert reused == len(_files(root)) - changed - unread, what


def test_dataset_wide_findings_are_reused_only_when_no_row_they_read_changed(
    root: Path, monkeypatch: Any
) -> None:
    """An edit that leaves every row the dataset-wide checks read as it was (a note) reuses
    their findings without running them, each still located in the file as it is now; an
    edit to an id runs them again."""
    files = _files(root)
    _edit_json(files[2], _set_agreement_id(_first_agreement_id(files[1])))
    _report(root, cache=True)

    def duplicate_lines() -> list[int]:
        return [
            f["line"]
            for f in _report(root, cache=False)[0]["findings"]
            if f["code"] == "id-duplicate" and f["file"].endswith(files[2].name)
        ]

    before = duplicate_lines()
    unread = _unread(root)
    _prepend_note(files[2])
    validated = validate_dataset(root, cache=True, jobs=1)
    got, reused = validated.report.to_dict(), validated.reused
    assert (validated.dataset_checks, reused) == ("reused", len(files) - 1 - unread)
    assert got == _report(root, cache=False)[0]
    assert before and duplicate_lines() == [line + 1 for line in before]
    _edit_json(files[2], _set_agreement_id("agr-unique-x"))
    validated = validate_dataset(root, cache=True, jobs=1)
    assert validated.dataset_checks == "ran"
    assert validated.report.to_dict() == _report(root, cache=False)[0]


def _generation(folder: Path) -> Path:
    return folder / (folder / "current").read_text("utf-8")


def test_a_damaged_cache_is_ignored(root: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr("toolkit.check.result_cache.SLACK_NS", 10**18)  # every file is hashed
    expected, _ = _report(root, cache=False)
    _report(root, cache=True)
    folder = cache_folder(Dataset.at(root))
    (_generation(folder) / "index.json").write_bytes(b"not an index")
    assert _report(root, cache=True) == (expected, 0)
    arrows = sorted(_generation(folder).glob("*.arrow"))
    assert arrows
    for arrow in arrows:
        arrow.write_bytes(b"")
    assert _report(root, cache=True) == (expected, 0)
    (folder / "current").write_text("g-gone", "utf-8")
    assert _report(root, cache=True) == (expected, 0)
    (folder / "current").write_text("../../elsewhere", "utf-8")
    assert _report(root, cache=True) == (expected, 0)
    assert _report(root, cache=True) == (expected, len(_files(root)) - _unread(root))


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset % len(data)] ^= 0xFF
    path.write_bytes(bytes(data))


def test_flipped_bytes_in_any_cached_file_never_change_a_verdict(root: Path) -> None:
    """Every file of the cache, a byte flipped at several places: each run gives exactly the
    findings of a run without the cache (a damaged Arrow file used to crash the reader, a
    segmentation fault or a panic, on that run and every later one)."""
    expected, _ = _report(root, cache=False)
    folder = cache_folder(Dataset.at(root))
    _report(root, cache=True)
    names = sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
    assert {p.name for p in names} >= {"current", "key", "index.json", "index.mac"}
    assert any(p.suffix == ".arrow" for p in names)
    for name in names:
        for offset in (3, 4096, -1):
            shutil.rmtree(folder)
            _report(root, cache=True)
            current = folder / name.parent / name.name
            if name.parent.name.startswith("g-"):
                current = _generation(folder) / name.name
            _flip(current, offset)
            assert _report(root, cache=True)[0] == expected, (name, offset)


def test_forged_entries_are_not_believed(root: Path) -> None:
    """An index rewritten to call every file clean (as a writer of a shared cache folder
    could) fails its authentication: the run checks every file and finds what a run without
    the cache finds."""
    expected, _ = _report(root, cache=False)
    assert expected["errors"] > 0
    _report(root, cache=True)
    generation = _generation(cache_folder(Dataset.at(root)))
    index = json.loads((generation / "index.json").read_bytes())
    for entry in index["entries"].values():
        entry[1] = []  # no findings
        entry[2] = True
    index["checks"]["failures"] = []
    (generation / "index.json").write_bytes(json.dumps(index).encode())
    assert _report(root, cache=True) == (expected, 0)


def test_a_planted_pickle_is_never_loaded(root: Path, tmp_path: Path) -> None:
    """A generation laid out as the pickle-indexed format had it, with a payload that would
    run a command if unpickled: it is not loaded, and the command never runs."""
    import pickle

    expected, _ = _report(root, cache=False)
    folder = cache_folder(Dataset.at(root))
    _report(root, cache=True)
    proof = tmp_path / "payload-ran"

    class Payload:
        def __reduce__(self) -> tuple[Any, ...]:
            return (os.system, (f"touch {proof}",))

    generation = _generation(folder)
    (generation / "index.json").unlink()
    (generation / "index.pickle").write_bytes(pickle.dumps(Payload()))
    assert _report(root, cache=True) == (expected, 0)
    assert not proof.exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another user needs root")
def test_a_cache_folder_of_another_user_is_neither_read_nor_written(root: Path) -> None:
    expected, _ = _report(root, cache=False)
    folder = cache_folder(Dataset.at(root))
    _report(root, cache=True)
    os.chown(folder, 4242, 4242)
    before = sorted(p.name for p in folder.iterdir())
    assert _report(root, cache=True) == (expected, 0)
    assert sorted(p.name for p in folder.iterdir()) == before


def test_a_cache_folder_others_can_write_is_not_used(root: Path) -> None:
    expected, _ = _report(root, cache=False)
    folder = cache_folder(Dataset.at(root))
    _report(root, cache=True)
    folder.chmod(0o777)
    assert _report(root, cache=True) == (expected, 0)
    folder.chmod(0o700)
    generation = _generation(folder)
    generation.chmod(0o770)
    assert _report(root, cache=True) == (expected, 0)


def test_a_cache_folder_that_is_a_link_is_not_used(root: Path, tmp_path: Path) -> None:
    expected, _ = _report(root, cache=False)
    folder = cache_folder(Dataset.at(root))
    _report(root, cache=True)
    elsewhere = tmp_path / "planted"
    folder.rename(elsewhere)
    folder.symlink_to(elsewhere)
    assert _report(root, cache=True) == (expected, 0)


def test_a_cache_made_with_other_schemas_is_not_used(
    root: Path, monkeypatch: Any, tmp_path: Path
) -> None:
    """Schemas that differ in a description only: the cached results are not reused."""
    _report(root, cache=True)
    assert _report(root, cache=True)[1] > 0
    schemas = tmp_path / "schemas"
    shutil.copytree(REPO / "schemas", schemas)
    annotation = next(schemas.glob("*/annotation.schema.json"))
    doc = json.loads(annotation.read_text("utf-8"))
    doc["description"] = str(doc.get("description", "")) + " Edited."
    annotation.write_text(json.dumps(doc, indent=2), "utf-8")
    monkeypatch.setenv("TOOLKIT_SCHEMAS", str(schemas))
    assert _report(root, cache=True)[1] == 0


def test_the_cli_uses_the_cache_unless_told_not_to(root: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["validate", "--root", str(root), "--format", "json"])
    assert first.exit_code == 1
    folder = cache_folder(Dataset.at(root))
    assert (folder / "current").is_file()
    assert not any(p.name.startswith(".toolkit") for p in root.iterdir())
    shutil.rmtree(folder)
    second = runner.invoke(cli, ["validate", "--root", str(root), "--no-cache", "--format", "json"])
    assert second.exit_code == 1 and second.output == first.output
    assert not folder.exists()


def test_a_file_replaced_while_it_was_checked_is_checked_again(
    root: Path, monkeypatch: Any
) -> None:
    """A file missing when read and back when the cache is written (an editor replacing it,
    a checkout) must not keep its "unreadable" result: its status changed after the run began,
    so nothing vouches for it until it is read again."""
    from toolkit.check.result_cache import ResultCache

    victim = _files(root)[0]
    aside = root / "aside.json"
    listed = Dataset.annotation_names
    made = ResultCache.entry

    def names_then_remove(self: Dataset) -> list[str]:
        out = listed(self)
        if victim.exists():
            victim.rename(aside)
        return out

    def entry_after_restoring(self: ResultCache, result: Any) -> Any:
        if aside.exists():
            aside.rename(victim)
        return made(self, result)

    with monkeypatch.context() as patched:
        patched.setattr(Dataset, "annotation_names", names_then_remove)
        patched.setattr(ResultCache, "entry", entry_after_restoring)
        raced, _ = _report(root, cache=True)
    assert any(f["code"] == "file-unreadable" for f in raced["findings"])
    expected, _ = _report(root, cache=False)
    assert not any(
        f["code"] == "file-unreadable" and f["file"].endswith(victim.name)
        for f in expected["findings"]
    )
    assert _report(root, cache=True)[0] == expected


def test_a_run_that_fails_in_the_checks_leaves_no_half_written_cache(
    root: Path, monkeypatch: Any
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug in a check")

    monkeypatch.setattr("toolkit.check.table_rules.check_tables", broken)
    with pytest.raises(RuntimeError):
        validate_dataset(root, cache=True, jobs=1)
    folder = cache_folder(Dataset.at(root))
    assert not list(folder.glob("g-*")) and not (folder / "current").exists()


def test_a_run_leaves_alone_the_cache_another_run_is_writing(root: Path) -> None:
    folder = cache_folder(Dataset.at(root))
    folder.mkdir(parents=True)
    writing = folder / f"g-{'a' * 32}"  # frames begun, index not yet written
    writing.mkdir()
    (writing / "evidence.arrow").write_bytes(b"")
    died = folder / "g-a-run-that-died"
    died.mkdir()
    os.utime(died, (0, 0))
    validate_dataset(root, cache=True, jobs=1)
    current = (folder / "current").read_text("utf-8")
    assert {p.name for p in folder.glob("g-*")} == {current, writing.name}
    validate_dataset(root, cache=True, jobs=1)  # unchanged: the cache is reused, kept as is
    (writing / "index.json").write_bytes(b"")  # that run finished, and lost the race
    # one file of some thirty edited: enough to write the cache again
    (root / "seeds" / "annotations" / "zz-new.json").write_text("{}", "utf-8")
    validate_dataset(root, cache=True, jobs=1)
    assert [p.name for p in folder.glob("g-*")] == [(folder / "current").read_text("utf-8")]


def test_a_file_replaced_by_a_fifo_is_not_read_by_the_cache(root: Path, tmp_path: Path) -> None:
    """An empty annotation file, cached, then replaced by a FIFO of the same size (0): the
    cache's hash of it would block for ever; the run reports the FIFO instead."""
    empty = root / "seeds" / "annotations" / "zz-empty.json"
    empty.write_bytes(b"")
    env = {**os.environ, "TOOLKIT_CACHE_DIR": str(tmp_path / "cache")}
    command = [str(Path(sys.executable).with_name("toolkit")), "validate", "--root", str(root)]
    subprocess.run(command, env=env, capture_output=True, timeout=120, check=False)
    empty.unlink()
    os.mkfifo(empty)
    out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert "zz-empty.json" in out.stdout and "FIFO" in out.stdout


def test_a_key_cut_short_is_made_anew_and_the_cache_works_again(root: Path) -> None:
    """A run killed while writing the key left it short: the cache is not used with it, and
    the next run that writes the cache makes a whole key, which later runs use."""
    expected, _ = _report(root, cache=False)
    _report(root, cache=True)
    key = cache_folder(Dataset.at(root)) / "key"
    key.write_bytes(b"short")
    assert _report(root, cache=True) == (expected, 0)  # not used; written again
    assert len(key.read_bytes()) == 32
    assert _report(root, cache=True) == (expected, len(_files(root)) - _unread(root))
