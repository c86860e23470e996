"""Faults around publishing and authoring: the swap of exports/ is atomic under failures and
kills, scratch left by a killed run is removed, a read-only checkout gives clear errors and
can still be checked, authoring commands refuse links out of the dataset, Ctrl-C exits 130."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from toolkit.dataset import Dataset
from toolkit.errors import ExportFailed
from toolkit.publish.export import export_dataset
from toolkit.publish.swap import remove_stale_scratch, scratch_folder, swap_in

TOOLKIT = str(Path(sys.executable).with_name("toolkit"))


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _complete(folder: Path) -> bool:
    """Whether *folder* is a whole export: every file SHA256SUMS lists, with its hash."""
    sums = folder / "SHA256SUMS"
    if not sums.is_file():
        return False
    listed = dict(reversed(line.split("  ", 1)) for line in sums.read_text("utf-8").splitlines())
    tree = _tree(folder)
    tree.pop("SHA256SUMS")
    return listed == tree


KILLED_EXPORT = """
import os, signal, sys
import toolkit.publish.export as export
import toolkit.publish.swap as swap

root, step = sys.argv[1], sys.argv[2]


def die(*args):
    os.kill(os.getpid(), signal.SIGKILL)


real_exchange, real_rename = swap.exchange, os.rename
if step == "fallback":
    swap.exchange = lambda a, b: False
if step == "writing":
    export.export_dataset(root, hook=lambda table: die())
if step == "before-swap":
    export.swap_in = lambda new, target: die()
if step == "after-exchange":
    def exchange(a, b):
        real_exchange(a, b)
        die()
    swap.exchange = exchange
if step == "fallback":
    def rename(a, b):
        real_rename(a, b)
        if os.path.basename(b).startswith("exports.old-"):
            die()
    os.rename = rename
export.export_dataset(root)
"""


def _edit_meta(root: Path, version: str) -> None:
    (root / "seeds" / "dataset.json").write_text(f'{{"version": "{version}"}}', "utf-8")


@pytest.mark.parametrize("step", ["writing", "before-swap", "after-exchange"])
def test_a_kill_at_any_step_leaves_a_complete_exports(small: Path, step: str) -> None:
    """SIGKILL while the tables are written, just before the swap and just after it: at
    every moment exports/ is a whole export, the old one or the new one, and the next run
    removes what the killed one left."""
    export_dataset(small)
    old = _tree(small / "exports")
    _edit_meta(small, "7.0.0")
    proc = subprocess.run([sys.executable, "-c", KILLED_EXPORT, str(small), step], check=False)
    assert proc.returncode == -signal.SIGKILL
    assert _complete(small / "exports")
    now = _tree(small / "exports")
    assert now == old if step != "after-exchange" else now != old
    leftovers = {p.name for p in small.iterdir()} - {"exports", "exports.lock", "seeds"}
    assert leftovers or step == "writing" or step == "before-swap"
    assert export_dataset(small).written
    assert _complete(small / "exports")
    assert {p.name for p in small.iterdir()} == {"exports", "exports.lock", "seeds"}


def test_a_kill_between_the_renames_of_the_fallback_is_undone_by_the_next_run(
    small: Path,
) -> None:
    """Where the folders cannot be exchanged in one step, a kill between the two renames
    leaves exports.old-*; the next export (or a --check) puts the whole old export back
    before anything else."""
    export_dataset(small)
    old = _tree(small / "exports")
    _edit_meta(small, "8.0.0")
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_EXPORT, str(small), "fallback"], check=False
    )
    assert proc.returncode == -signal.SIGKILL
    assert not (small / "exports").exists()
    (aside,) = small.glob("exports.old-*")
    assert _tree(aside) == old
    assert export_dataset(small).written
    assert _complete(small / "exports") and _tree(small / "exports") != old
    assert not list(small.glob("exports.*-*"))


def test_a_failed_rename_in_the_fallback_puts_the_old_exports_back(tmp_path: Path) -> None:
    import toolkit.publish.swap as swap

    target, new = tmp_path / "exports", tmp_path / "exports.tmp-1"
    target.mkdir()
    (target / "old.txt").write_text("old", "utf-8")
    new.mkdir()
    (new / "new.txt").write_text("new", "utf-8")
    real = os.rename
    calls: list[str] = []

    def failing(a: object, b: object) -> None:
        calls.append(os.path.basename(str(b)))
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(a, b)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(swap, "exchange", lambda a, b: False)
        patched.setattr(os, "rename", failing)
        with pytest.raises(OSError, match="No space"):
            swap_in(new, target)
    assert (target / "old.txt").read_text("utf-8") == "old"
    assert (new / "new.txt").is_file()


def test_swap_in_exchanges_the_folders_in_one_step(tmp_path: Path) -> None:
    target, new = tmp_path / "exports", tmp_path / "exports.tmp-1"
    target.mkdir()
    (target / "old.txt").write_text("old", "utf-8")
    new.mkdir()
    (new / "new.txt").write_text("new", "utf-8")
    inode = os.stat(target).st_ino
    swap_in(new, target)
    assert [p.name for p in target.iterdir()] == ["new.txt"]
    assert [p.name for p in new.iterdir()] == ["old.txt"]
    assert os.stat(new).st_ino == inode


def test_scratch_of_a_killed_export_is_removed_by_the_next(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", None)
    env = {**os.environ, "TMPDIR": str(scratch)}
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_EXPORT, str(small), "writing"], env=env, check=False
    )
    assert proc.returncode == -signal.SIGKILL
    left = list(scratch.glob("cnvn-export-*"))
    assert left
    with scratch_folder() as running:  # a run going on beside: its folder is kept
        assert remove_stale_scratch(scratch) == []
        assert running.is_dir()
        export_dataset(small)
        assert running.is_dir()
    assert not list(scratch.iterdir())


def test_exported_leftovers_are_ignored_by_git(repo: Path) -> None:
    names = ["exports.old-123", "exports.tmp-123", "exports.lock"]
    out = subprocess.run(
        ["git", "-C", str(repo), "check-ignore", "--no-index", *names],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.stdout.split() == names


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """*folder* made read-only for real: a read-only bind mount as root (who ignores
    permission bits), the write bits taken away otherwise."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")]}
        for p in modes:
            p.chmod(modes[p] & ~0o222)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
        return
    mounted = subprocess.run(["mount", "--bind", str(folder), str(folder)], check=False)
    if mounted.returncode != 0:
        pytest.skip("no bind mount here")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True)
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_read_only_checkout_exports_with_a_clear_error_and_checks(small: Path) -> None:
    export_dataset(small)
    before = _tree(small / "exports")
    (small / "exports.lock").unlink()
    with read_only(small):
        with pytest.raises(ExportFailed, match=r"Read-only file system|Permission denied"):
            export_dataset(small)
        checked = export_dataset(small, check=True)
        assert checked.report.valid and checked.differences == []
        cli = subprocess.run(
            [TOOLKIT, "export", "--root", str(small)], capture_output=True, text=True
        )
        assert cli.returncode == 2
        assert cli.stderr.startswith("error: writing the exports failed")
        assert str(small) in cli.stderr and "internal error" not in cli.stderr
        check = subprocess.run(
            [TOOLKIT, "export", "--check", "--root", str(small)], capture_output=True, text=True
        )
        assert check.returncode == 0, check.stderr
        new = subprocess.run(
            [TOOLKIT, "new", "900_00000000000000a1", "--root", str(small), "--force"],
            capture_output=True,
            text=True,
        )
        assert new.returncode == 2 and new.stderr.startswith("error: cannot write")
    assert _tree(small / "exports") == before


def test_new_refuses_a_link_leading_out_of_the_dataset(small: Path, tmp_path: Path) -> None:
    article = next(Dataset.at(small).article_ids().__iter__())
    outside = tmp_path / "outside.json"
    target = small / "seeds" / "annotations" / f"{article}.json"
    target.unlink()
    target.symlink_to(outside)  # dangling: writing through it would create outside.json
    out = subprocess.run(
        [TOOLKIT, "new", article, "--root", str(small), "--force"], capture_output=True, text=True
    )
    assert out.returncode == 2 and "is a link" in out.stderr
    assert not outside.exists()


def test_locate_refuses_an_article_that_is_a_link(small: Path) -> None:
    dataset = Dataset.at(small)
    article = dataset.article_ids()[0]
    path = dataset.articles_dir / f"{article}.txt"
    path.unlink()
    path.symlink_to("/etc/passwd")
    out = subprocess.run(
        [TOOLKIT, "locate", article, "root", "--root", str(small)], capture_output=True, text=True
    )
    assert out.returncode == 2 and "is a link" in out.stderr and "root:" not in out.stdout


def test_no_article_lists_at_most_ten_known_ids(small: Path) -> None:
    articles = small / "seeds" / "articles"
    for n in range(30):
        (articles / f"{n + 100:03d}_{n:016x}.txt").write_text("text\n", "utf-8")
    out = subprocess.run(
        [TOOLKIT, "locate", "999_0000000000000000", "x", "--root", str(small)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2 and "and 22 more" in out.stderr
    known = out.stderr.split("known: ", 1)[1]
    assert len(re.findall(r"[0-9]{3}_[0-9a-f]{16}", known)) == 10


def test_ctrl_c_exits_130_with_one_line(seeds_copy: Path) -> None:
    """SIGINT in the middle of a run (one process, 3,000 files: several seconds) ends it
    with exit status 130 and one line, where it used to exit 1, the code for invalid data."""
    annotations = seeds_copy / "seeds" / "annotations"
    for source in sorted(annotations.glob("*.json")):
        data = source.read_bytes()
        for n in range(600):
            (annotations / f"{source.stem}-{n:03d}.json").write_bytes(data)
    slow = subprocess.Popen(
        [TOOLKIT, "validate", "--no-cache", "--jobs", "1", "--root", str(seeds_copy)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)
    slow.send_signal(signal.SIGINT)
    out, err = slow.communicate(timeout=60)
    assert slow.returncode == 130, err
    assert err.strip() == "interrupted" and out == ""
