"""The schemas resolve offline in outside validators and editors (docs/validate.md, "Outside
validators"): check-jsonschema with the documented --base-uri, ajv with every schema of the
version added, and the committed VS Code mapping. On the seeds and on broken copies, both
give the schema-layer verdict `toolkit validate` gives, without the network."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest

from conftest import DATA, REPO
from toolkit.check.run import validate_dataset

CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")
SEED = "seeds/annotations/003_ca5597f59c992008.json"  # 1.1.0
SMALL = "seeds/annotations/900_00000000000000a1.json"  # 1.0.0
#: The versions the npm packages are installed at (docs/validate.md names the same).
AJV = ("ajv@8.17.1", "ajv-formats@3.0.1")
#: Any request for the network goes to a closed port and fails at once.
OFFLINE = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9"}


def _set(pointer: str, value: Any) -> Callable[[Any], None]:
    def change(doc: Any) -> None:
        *parents, last = pointer.strip("/").split("/")
        node = doc
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if value is _POP:
            node.pop(last)
        else:
            node[int(last) if isinstance(node, list) else last] = value

    return change


_POP = object()
BREAKS: dict[str, Callable[[Any], None]] = {
    "intact": lambda doc: None,
    "enum": _set("/agreements/0/status", "sealed"),
    "required": _set("/agreements/0/status", _POP),
    "impossible-date": _set("/dates/0/earliest", "2023-02-30"),
    "nested-type": _set("/agreements/0/evidence/0/start", "12"),
    "additional": _set("/agreements/0/colour", "red"),
    "pattern": _set("/agreements/0/agreement_id", "Agreement 1"),
    "offsets-only": _set("/agreements/0/evidence/0/end", 1),  # schema-valid, text-invalid
}


def _cases(tmp_path: Path, root: Path, rel: str) -> dict[Path, bytes]:
    """Each broken copy of *rel* under *tmp_path*, by path: its bytes."""
    original = (root / rel).read_text("utf-8")
    out: dict[Path, bytes] = {}
    for name, change in BREAKS.items():
        doc = json.loads(original)
        change(doc)
        path = tmp_path / f"{name}.json"
        data = (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode()
        path.write_bytes(data)
        out[path] = data
    return out


def _toolkit_verdicts(root: Path, rel: str, cases: dict[Path, bytes]) -> dict[str, bool]:
    """case name -> True when `toolkit validate` finds no schema-layer error in it."""
    verdicts = {}
    for path, data in cases.items():
        report = validate_dataset(root, documents={rel: data}).report
        verdicts[path.stem] = not any(
            f.file == rel and f.code == "schema-violation" for f in report.findings
        )
    return verdicts


VERSIONS = [("1.1.0", REPO, SEED), ("1.0.0", DATA / "small", SMALL)]


@pytest.mark.parametrize(("version", "root", "rel"), VERSIONS, ids=[v[0] for v in VERSIONS])
def test_check_jsonschema_with_the_documented_flags_agrees_offline(
    tmp_path: Path, version: str, root: Path, rel: str
) -> None:
    cases = _cases(tmp_path, root, rel)
    schema = REPO / "schemas" / version / "annotation.schema.json"
    seeds = sorted((root / "seeds" / "annotations").glob("*.json"))
    out = subprocess.run(
        [
            str(CHECK_JSONSCHEMA),
            "--no-cache",
            "-o",
            "json",
            "--schemafile",
            str(schema),
            "--base-uri",
            schema.as_uri(),
            *map(str, [*seeds, *cases]),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **OFFLINE},
    )
    result = json.loads(out.stdout)
    assert not result["parse_errors"], result["parse_errors"]
    failed = {Path(e["filename"]).resolve() for e in result["errors"]}
    assert not failed & {p.resolve() for p in seeds}, "a seed fails check-jsonschema"
    theirs = {p.stem: p.resolve() not in failed for p in cases}
    assert theirs == _toolkit_verdicts(root, rel, cases)
    assert theirs["intact"] and theirs["offsets-only"] and not theirs["impossible-date"]


@pytest.fixture(scope="module")
def ajv_modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ajv and ajv-formats installed from the npm registry into a folder of the session
    (skipped without npm, except under CI=true, where it must run)."""
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("npm and node are needed for the ajv test under CI")
        pytest.skip("npm or node is not installed: the ajv check needs them")
    folder = tmp_path_factory.mktemp("ajv")
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(folder), *AJV],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail(f"npm install {' '.join(AJV)} failed: {done.stderr[-500:]}")
        pytest.skip(f"npm install {' '.join(AJV)} failed (no registry?): {done.stderr[-200:]}")
    return folder / "node_modules"


@pytest.mark.parametrize(("version", "root", "rel"), VERSIONS, ids=[v[0] for v in VERSIONS])
def test_ajv_with_every_schema_added_agrees_offline(
    tmp_path: Path, ajv_modules: Path, version: str, root: Path, rel: str
) -> None:
    cases = _cases(tmp_path, root, rel)
    seeds = sorted((root / "seeds" / "annotations").glob("*.json"))
    out = subprocess.run(
        [
            "node",
            str(REPO / "tests" / "ajv_validate.cjs"),
            str(REPO / "schemas" / version),
            "annotation",
            *map(str, [*seeds, *cases]),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **OFFLINE, "NODE_PATH": str(ajv_modules)},
    )
    assert out.stderr == ""
    verdicts = dict(line.split(" ")[:2] for line in out.stdout.splitlines())
    assert all(verdicts[str(p)] == "valid" for p in seeds)
    theirs = {p.stem: verdicts[str(p)] == "valid" for p in cases}
    assert theirs == _toolkit_verdicts(root, rel, cases)


def test_the_editor_setting_maps_the_seed_files_to_a_schema_that_exists() -> None:
    settings = json.loads((REPO / ".vscode" / "settings.json").read_text("utf-8"))
    mappings = settings["json.schemas"]
    seeds = [
        p.relative_to(REPO).as_posix()
        for p in sorted((REPO / "seeds").rglob("*.json"))
        if p.name != "dataset.json"
    ]
    for name in seeds:
        matched = [m for m in mappings if any(fnmatch(name, g) for g in m["fileMatch"])]
        assert len(matched) == 1, name
        schema = REPO / matched[0]["url"].removeprefix("./")
        assert schema.is_file(), schema
        kind = "annotation" if "/annotations/" in name else "actor_registry"
        version = json.loads((REPO / name).read_text("utf-8"))["schema_version"]
        assert schema == REPO / "schemas" / version / f"{kind}.schema.json"
