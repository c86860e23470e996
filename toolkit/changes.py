"""Which dataset files changed against a git ref (for pull-request checks)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from toolkit.errors import ToolkitError


class GitError(ToolkitError):
    """git is missing, the folder is not a checkout, or the ref is unknown."""


def changed_files(root: Path, ref: str) -> list[Path]:
    """Annotation and registry files under *root* changed since *ref*, committed or not.

    A changed article text or actor registry affects every document, so all are returned.
    """
    root = Path(root)

    def git(*args: str) -> list[str]:
        try:
            out = subprocess.run(
                ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
            )
        except FileNotFoundError as exc:
            raise GitError("git is not installed") from exc
        except subprocess.CalledProcessError as exc:
            raise GitError(f"git {' '.join(args)} failed: {exc.stderr.strip()}") from exc
        return [line for line in out.stdout.splitlines() if line]

    top = Path(git("rev-parse", "--show-toplevel")[0])
    names = git("diff", "--name-only", ref, "--", ".") + git(
        "ls-files", "--others", "--exclude-standard", "--full-name", "--", "."
    )
    changed = {(top / n).resolve() for n in names}
    seeds = (root / "seeds").resolve()
    touched = [p for p in changed if seeds in p.parents]
    if any(p.suffix == ".txt" or p.name == "actors.json" for p in touched):
        return [*sorted((root / "seeds" / "annotations").glob("*.json")), seeds / "actors.json"]
    return sorted(p for p in touched if p.suffix == ".json")
