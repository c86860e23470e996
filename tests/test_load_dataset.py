"""`toolkit.load_dataset` reads the exports folder it is given, from a checkout or an
installed wheel alike, and says clearly when there is none; pandas is an optional extra."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import toolkit
from conftest import REPO
from toolkit.errors import ExportsNotFound


def test_it_reads_the_exports_folder_it_is_given(tmp_path: Path) -> None:
    tables = toolkit.load_dataset(REPO / "exports")
    assert tables["agreements"].num_rows > 0
    assert tables == toolkit.load_dataset(str(REPO / "exports"))


def test_a_folder_without_exports_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ExportsNotFound, match="holds no published tables") as raised:
        toolkit.load_dataset()
    assert str(tmp_path / "exports") in str(raised.value)
    assert "load_dataset('path/to/exports')" in str(raised.value)


def test_it_does_not_look_inside_the_installed_package(tmp_path: Path) -> None:
    """From any folder but a checkout's, the default is that folder's exports/, never one
    beside the installed package (site-packages has none)."""
    code = (
        "import toolkit\n"
        "try:\n    toolkit.load_dataset()\n"
        "except toolkit.errors.ExportsNotFound as exc:\n    print('refused:', exc)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run(
        [sys.executable, "-c", "import toolkit.errors\n" + code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert out.stdout.startswith(f"refused: {tmp_path / 'exports'} holds no published tables")
    assert "site-packages" not in out.stdout


def test_pandas_is_an_optional_extra_and_the_readme_says_so(repo: Path) -> None:
    project = tomllib.loads((repo / "pyproject.toml").read_text("utf-8"))["project"]
    assert not any(d.startswith("pandas") for d in project["dependencies"])
    assert any(d.startswith("pandas") for d in project["optional-dependencies"]["pandas"])
    readme = (repo / "README.md").read_text("utf-8")
    assert "cnvn-toolkit[pandas]" in readme
    assert 'toolkit.load_dataset("exports")' in readme
