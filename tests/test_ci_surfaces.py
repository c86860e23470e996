"""The CI surfaces a contributor meets: the pre-commit hook runs on every file that can
change a verdict and validate accepts each of them; the pull-request workflow runs
`make check` with least privilege, a concurrency group, a cached .venv and a SARIF upload;
actionlint finds nothing in the workflows."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import REPO

TOOLKIT = str(Path(sys.executable).with_name("toolkit"))
ACTIONLINT = Path(sys.executable).with_name("actionlint")
WORKFLOW = REPO / ".github" / "workflows" / "validate.yml"
HOOK_FILES = [REPO / ".pre-commit-config.yaml", REPO / ".pre-commit-hooks.yaml"]


def _hook(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text("utf-8"))
    hooks = data if isinstance(data, list) else [h for r in data["repos"] for h in r["hooks"]]
    [hook] = [h for h in hooks if h["id"] == "toolkit-validate"]
    return hook  # type: ignore[no-any-return]


def _tracked(*folders: str) -> list[str]:
    out = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-z", "--", *folders],
        capture_output=True,
        check=True,
    )
    return [n for n in out.stdout.decode().split("\0") if n]


@pytest.mark.parametrize("config", HOOK_FILES, ids=lambda p: p.name)
@pytest.mark.parametrize(
    "name",
    [
        "seeds/annotations/003_ca5597f59c992008.json",
        "seeds/actors.json",
        "seeds/articles/003_ca5597f59c992008.txt",
        "schemas/1.1.0/annotation.schema.json",
    ],
)
def test_the_hook_runs_on_annotations_articles_registry_and_schemas(
    config: Path, name: str
) -> None:
    assert re.search(_hook(config)["files"], name), name


@pytest.mark.parametrize("config", HOOK_FILES, ids=lambda p: p.name)
def test_the_hook_skips_what_validate_does_not_check(config: Path) -> None:
    pattern = _hook(config)["files"]
    for name in ("seeds/README.md", "seeds/articles/SHA256SUMS", "toolkit/cli.py", "README.md"):
        assert not re.search(pattern, name), name


def test_validate_accepts_every_file_the_hook_passes_it() -> None:
    pattern = _hook(HOOK_FILES[0])["files"]
    matched = [n for n in _tracked("seeds", "schemas") if re.search(pattern, n)]
    assert len(matched) > 10
    out = subprocess.run(
        [TOOLKIT, "validate", "-q", *matched], cwd=REPO, capture_output=True, text=True
    )
    assert (out.returncode, out.stdout, out.stderr) == (0, "", "")


def _workflow() -> dict[Any, Any]:
    return yaml.safe_load(WORKFLOW.read_text("utf-8"))  # type: ignore[no-any-return]


def test_the_pull_request_workflow_runs_make_check_with_least_privilege() -> None:
    flow = _workflow()
    assert flow["permissions"] == {"contents": "read"}
    assert "github.workflow" in flow["concurrency"]["group"]
    assert flow["concurrency"]["cancel-in-progress"] is True
    events = flow[True] if True in flow else flow["on"]  # YAML 1.1 reads `on` as true
    assert "pull_request" in events
    jobs = flow["jobs"]
    runs_check = [
        name
        for name, job in jobs.items()
        if "if" not in job and any(s.get("run") == "make check" for s in job["steps"])
    ]
    assert runs_check, "no job runs make check on every event"
    for name, job in jobs.items():
        for scope, level in job.get("permissions", {}).items():
            assert (scope, level) in {("contents", "read"), ("security-events", "write")}, name
        cached = [s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/cache@")]
        assert cached and cached[0]["with"]["path"] == ".venv", name
        assert "hashFiles('requirements.lock'" in cached[0]["with"]["key"], name


def test_the_pull_request_workflow_uploads_sarif() -> None:
    steps = _workflow()["jobs"]["annotations"]["steps"]
    written = [s for s in steps if "--format sarif" in s.get("run", "")]
    upload = [
        s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")
    ]
    assert written and upload
    assert upload[0]["with"]["sarif_file"] in written[0]["run"]


def test_actionlint_finds_nothing_in_the_workflows() -> None:
    assert ACTIONLINT.is_file(), "actionlint comes with the dev extra (make setup)"
    workflows = sorted(str(p) for p in (REPO / ".github" / "workflows").glob("*.yml"))
    out = subprocess.run([str(ACTIONLINT), *workflows], capture_output=True, text=True)
    assert (out.returncode, out.stdout) == (0, ""), out.stdout
