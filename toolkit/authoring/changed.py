"""Which dataset files changed against a git ref (for pull-request checks).

The ref comes from the caller (a workflow input, a pull request's base): it reaches git only
as data, never as an option. One starting with ``-`` is refused, the rest is resolved to a
commit by ``git rev-parse --verify --end-of-options`` and only that commit's full id is handed
on; file names come back NUL-separated, exactly as stored.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from toolkit.errors import ToolkitError

_COMMIT_ID = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")


class GitError(ToolkitError):
    """git is missing, the folder is not a checkout, or the ref is unknown."""


def _git(root: Path, *args: str) -> str:
    return git_output(root, *args).decode("utf-8", "surrogateescape")


def git_output(root: Path, *args: str) -> bytes:
    """What ``git -C root ARGS...`` prints, run without a shell or standard input; the
    caller passes refs only once :func:`resolve_commit` has verified them.

    :raises GitError: when git is missing or the command fails (its message, cut short).
    """
    try:
        out = subprocess.run(
            ["git", "-C", str(root), *args],
            check=True,
            capture_output=True,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError as exc:
        raise GitError("git is not installed") from exc
    except subprocess.CalledProcessError as exc:
        message = exc.stderr.decode("utf-8", "backslashreplace").strip()
        raise GitError(f"git {args[0]} failed: {message[:300]}") from exc
    return out.stdout


def resolve_commit(root: Path, ref: str) -> str:
    """The full id of the commit *ref* names in the checkout at *root*.

    :raises GitError: when *ref* starts with ``-`` (it would be read as an option), holds a
        NUL or a line break, or names no commit.
    """
    if not ref or ref.startswith("-") or any(c in ref for c in "\0\n\r"):
        raise GitError(
            f"{ref[:80]!r} is not a git ref: a ref names a commit, branch or tag "
            "and does not start with '-'"
        )
    try:
        commit = _git(
            root, "rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}"
        )
    except GitError:
        raise GitError(f"git rev-parse failed: {ref[:80]!r} names no commit in {root}") from None
    commit = commit.strip()
    if not _COMMIT_ID.match(commit):
        raise GitError(f"git rev-parse gave {commit[:80]!r} for {ref[:80]!r}, not a commit id")
    return commit


def changed_files(root: Path, ref: str) -> list[Path]:
    """Annotation and registry files under *root* changed since *ref*, committed or not.

    A changed article text or actor registry affects every document, and so does a changed
    schema or a deleted file (a reference may have named what it held): then all are
    returned.
    """
    root = Path(root)
    commit = resolve_commit(root, ref)
    top = Path(_git(root, "rev-parse", "--show-toplevel").strip())
    listed = _git(root, "diff", "--name-only", "-z", commit, "--", ".") + _git(
        root, "ls-files", "-z", "--others", "--exclude-standard", "--full-name", "--", "."
    )
    changed = {(top / n).resolve() for n in listed.split("\0") if n}
    seeds = (root / "seeds").resolve()
    touched = [p for p in changed if seeds in p.parents]
    schemas = (root / "schemas").resolve()
    if any(schemas in p.parents for p in changed) or any(
        p.suffix == ".txt" or p.name == "actors.json" or not os.path.lexists(p) for p in touched
    ):
        return [*sorted((root / "seeds" / "annotations").glob("*.json")), seeds / "actors.json"]
    return sorted(p for p in touched if p.suffix == ".json")
