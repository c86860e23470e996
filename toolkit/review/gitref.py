"""A git ref's dataset as a folder: the ``seeds/`` tree of the commit it names, written into a
temporary dataset root (``git archive``, read with :mod:`tarfile`: regular files only, no
name leaving the folder).

The ref is untrusted input, handled as :mod:`toolkit.authoring.changed` handles it: one
starting with ``-`` is refused, the rest resolved to a commit id by ``git rev-parse --verify
--end-of-options``, and only that id reaches ``git archive``; no shell is involved.
"""

from __future__ import annotations

import io
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from toolkit.authoring.changed import GitError, git_output, resolve_commit


def _archive(root: Path, tree: str) -> bytes:
    return git_output(root, "archive", "--format=tar", tree)


def _prefix(root: Path) -> str:
    """The dataset root's path inside its checkout, ending in ``/`` (empty at the top)."""
    try:
        prefix = git_output(root, "rev-parse", "--show-prefix")
    except GitError as exc:
        raise GitError(f"{root} is not inside a git checkout") from exc
    return prefix.decode("utf-8", "surrogateescape").strip()


def _extract(data: bytes, folder: Path) -> int:
    """Write the regular files of the tar *data* under *folder*; return how many."""
    written = 0
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
        for member in archive:
            name = PurePosixPath(member.name)
            if not member.isfile() or name.is_absolute() or ".." in name.parts:
                continue
            source = archive.extractfile(member)
            if source is None:
                continue
            target = folder.joinpath(*name.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read())
            written += 1
    return written


@contextmanager
def dataset_at_ref(root: Path | str, ref: str) -> Iterator[Path]:
    """A temporary dataset root holding the ``seeds/`` folder of the commit *ref* names in
    the checkout at *root* (removed on exit).

    :raises GitError: when *ref* is not a ref (it starts with ``-``, say), names no commit, or
        the commit has no ``seeds/`` folder at the dataset's place.
    """
    root = Path(root)
    commit = resolve_commit(root, ref)
    data = _archive(root, f"{commit}:{_prefix(root)}seeds")
    folder = Path(tempfile.mkdtemp(prefix="toolkit-ref-"))
    try:
        _extract(data, folder / "seeds")
        (folder / "seeds" / "articles").mkdir(parents=True, exist_ok=True)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
