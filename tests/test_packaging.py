"""The wheel: it carries the schemas, so an installed toolkit validates and exports a dataset
with no checkout of this repository beside it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO

UV = Path(sys.executable).with_name("uv")


def test_every_package_of_the_toolkit_is_listed_for_the_wheel() -> None:
    """setuptools takes the packages pyproject.toml lists: a new subpackage must be listed,
    or an installed toolkit lacks it."""
    import tomllib

    listed = set(
        tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"][
            "packages"
        ]
    )
    found = {
        ".".join(p.parent.relative_to(REPO).parts)
        for p in (REPO / "toolkit").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert found <= listed, sorted(found - listed)


@pytest.mark.slow
@pytest.mark.skipif(not UV.exists(), reason="uv is installed in .venv by `make setup`")
def test_the_wheel_carries_the_schemas_and_validates_without_the_repository(
    tmp_path: Path,
) -> None:
    source = tmp_path / "source"  # built from a copy: setuptools leaves build/ behind
    for part in ("toolkit", "schemas"):
        shutil.copytree(REPO / part, source / part, ignore=shutil.ignore_patterns("__pycache__"))
    for part in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / part, source / part)
    built = subprocess.run(
        [str(UV), "build", "--wheel", "--out-dir", str(tmp_path / "dist"), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    released = sorted(p.relative_to(REPO).as_posix() for p in REPO.glob("schemas/*/*.json"))
    assert released and all(f"toolkit/{name}" in names for name in released)
    modules = {p.relative_to(REPO).as_posix() for p in (REPO / "toolkit").rglob("*.py")}
    assert modules - names == set(), "every module of the package is in the wheel"
    dataset = tmp_path / "dataset"
    shutil.copytree(REPO / "seeds", dataset / "seeds")
    decoy = tmp_path / "site" / "schemas" / "1.0.0"  # another distribution's schemas/
    decoy.mkdir(parents=True)
    (decoy / "other.schema.json").write_text("{}", "utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    env.pop("TOOLKIT_SCHEMAS", None)
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import toolkit.registry as r, toolkit.check.run as c; "
            "print(r.default_schema_dir()); print(c.__file__)",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    schemas_dir, check_module = probe.stdout.split()
    assert Path(schemas_dir) == tmp_path / "site" / "toolkit" / "schemas"
    assert Path(check_module) == tmp_path / "site" / "toolkit" / "check" / "run.py"
    validated = subprocess.run(
        [sys.executable, "-m", "toolkit", "validate", "--no-cache", "--root", str(dataset)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "valid: 0 error(s)" in validated.stdout
    assert "toolkit/report.schema.json" in names, "the JSON report's schema ships"
    read = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, toolkit\n"
            "print(toolkit.load_dataset(sys.argv[1])['agreements'].num_rows > 0)\n"
            "try:\n    toolkit.load_dataset()\nexcept toolkit.errors.ExportsNotFound:\n"
            "    print('refused')\n",
            str(REPO / "exports"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert read.stdout.split() == ["True", "refused"], read.stdout + read.stderr
