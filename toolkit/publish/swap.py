"""Putting a new export in place: the swap of folders that readers never see half done,
the export's scratch folders, and the clean-up after a run that was killed."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from toolkit.errors import ExportFailed

EXPORTS = "exports"
SCRATCH_PREFIX = "cnvn-export-"


@contextlib.contextmanager
def scratch_folder() -> Iterator[Path]:
    """A new private folder in the temporary folder (``TMPDIR``) for the export's scratch
    files, removed afterwards. It holds a lock while in use, so a later export removes the
    scratch folders of runs that were killed (their lock is free) and leaves those of runs
    still going.

    :raises ExportFailed: when no folder can be made there.
    """
    base = Path(tempfile.gettempdir())
    remove_stale_scratch(base)
    held = -1
    folder: Path | None = None
    try:
        # made under another name, locked, then named as scratch: never seen unlocked
        making = Path(tempfile.mkdtemp(prefix=f".{SCRATCH_PREFIX}", dir=base))
        folder = making
        held = os.open(making / ".lock", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        folder = base / making.name[1:]
        os.rename(making, folder)
    except OSError as exc:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        if held >= 0:
            os.close(held)
        where = os.environ.get("TMPDIR") or str(base)
        raise ExportFailed(scratch_failed(where, exc)) from exc
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(held)


def scratch_failed(folder: str | Path, exc: OSError) -> str:
    return (
        f"writing scratch copies of the documents into {folder} failed "
        f"({exc.strerror or exc}); free space there or set TMPDIR to another folder; "
        "the previous exports are untouched"
    )


def remove_stale_scratch(base: Path) -> list[Path]:
    """Remove the scratch folders in *base* that exports killed before they could clean up
    left behind: folders of this user named like scratch whose lock no process holds.
    Returns those removed."""
    removed = []
    try:
        names = [n for n in os.listdir(base) if n.startswith(SCRATCH_PREFIX)]
    except OSError:
        return []
    for name in names:
        folder = base / name
        try:
            st = os.lstat(folder)
            if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
                continue
            fd = os.open(folder / ".lock", os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a run still going holds it
        finally:
            os.close(fd)
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def recover(target: Path) -> None:
    """Undo what a killed export into the folder *target* left beside it: restore *target*
    if the swap stopped halfway, remove temporary folders. Only folders named as an export
    names them (``NAME.old-PID``, ``NAME.tmp-PID``) and holding what an export writes are
    touched: anything else beside *target* is someone else's."""
    for old in sorted(_leftovers(target, "old")):
        if not is_export(old):
            continue
        if not target.exists():
            old.rename(target)
        else:
            shutil.rmtree(old, ignore_errors=True)
    for tmp in _leftovers(target, "tmp"):
        try:
            ours = all(_written_by_export(entry.name) for entry in tmp.iterdir())
        except OSError:
            continue
        if ours:
            shutil.rmtree(tmp, ignore_errors=True)


#: What an export writes at the top of its folder, and the names its writers use there.
EXPORT_ENTRIES = frozenset(
    {"parquet", "json", "LICENSE.md", "README.md", "datapackage.json", "croissant.json"}
    | {"SHA256SUMS", ".writing"}
)


def _written_by_export(name: str) -> bool:
    return name in EXPORT_ENTRIES or name.startswith(".part-")


def _leftovers(target: Path, kind: str) -> list[Path]:
    """The folders beside *target* named as an export's *kind* of folder is (``old``,
    ``tmp``) with a process id, links excepted."""
    pattern = re.compile(rf"^{re.escape(target.name)}\.{kind}-[0-9]+$")
    try:
        names = os.listdir(target.parent)
    except OSError:
        return []
    found = []
    for name in names:
        path = target.parent / name
        if pattern.match(name) and path.is_dir() and not path.is_symlink():
            found.append(path)
    return found


def is_export(folder: Path) -> bool:
    """Whether *folder* holds an export and nothing else: its ``SHA256SUMS`` lists exactly
    the files beside it, among them the Data Package and ``json/annotations.json``."""
    try:
        listed = {
            line.split("  ", 1)[1]
            for line in (folder / "SHA256SUMS").read_text("utf-8").splitlines()
            if "  " in line
        }
        present = {
            p.relative_to(folder).as_posix()
            for p in folder.rglob("*")
            if (p.is_file() or p.is_symlink()) and p.name != "SHA256SUMS"
        }
    except (OSError, UnicodeDecodeError):
        return False
    return listed == present and {"datapackage.json", "json/annotations.json"} <= listed


def beside(target: Path, kind: str) -> Path:
    """The path beside the exports folder *target* of its *kind* (``lock``, ``tmp``, ``old``)
    for this process: ``exports.lock``, ``exports.tmp-PID``, ``exports.old-PID``."""
    suffix = "lock" if kind == "lock" else f"{kind}-{os.getpid()}"
    return target.with_name(f"{target.name}.{suffix}")


def swap_in(new: Path, target: Path) -> None:
    """Put the folder *new* in the place of the folder *target* so that a reader finds, at
    every moment, either the whole old folder or the whole new one: the two are exchanged in
    one step (``renameat2`` with ``RENAME_EXCHANGE``) and *new* then holds the old one, for
    the caller to remove. Where the system cannot exchange, *target* is renamed aside,
    *new* renamed in, and the old one put back if that fails (a run killed between the two
    is undone by the next export)."""
    if not os.path.lexists(target):
        os.rename(new, target)
        return
    if exchange(new, target):
        return
    old = beside(target, "old")
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)
        raise
    os.rename(old, new)


def exchange(a: Path, b: Path) -> bool:
    """Exchange the paths *a* and *b* atomically (Linux ``renameat2(RENAME_EXCHANGE)``);
    False where the system or the file system cannot.

    :raises OSError: for any other failure (permissions, a missing path).
    """
    if sys.platform != "linux":
        return False
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EPERM):
        return False  # EPERM: a seccomp filter that refuses the call (permissions give EACCES)
    raise OSError(code, os.strerror(code), str(b))


def compare(built: Path, published: Path) -> list[str]:
    def listing(base: Path) -> dict[str, bytes]:
        if not base.is_dir():
            return {}
        return {
            p.relative_to(base).as_posix(): p.read_bytes()
            for p in sorted(base.rglob("*"))
            if p.is_file()
        }

    new, old = listing(built), listing(published)
    diffs = []
    for name in sorted(set(new) | set(old)):
        if name not in old:
            diffs.append(f"{EXPORTS}/{name}: missing from the published exports")
        elif name not in new:
            diffs.append(f"{EXPORTS}/{name}: published but no longer built")
        elif new[name] != old[name]:
            diffs.append(f"{EXPORTS}/{name}: differs from a fresh build")
    return diffs
