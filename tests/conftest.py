"""Shared fixtures: the repository, the schema registry, copies of fixture datasets, the CLI."""

from __future__ import annotations

import contextlib
import shutil
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

import pytest
from click.testing import CliRunner, Result

from toolkit.cli import cli
from toolkit.registry import SchemaRegistry

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED_SEEDS = REPO.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def _cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("toolkit-cache")


@pytest.fixture(autouse=True)
def _private_cache(_cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation caches go to a folder of the test session, not the user's cache."""
    monkeypatch.setenv("TOOLKIT_CACHE_DIR", str(_cache_home))


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def registry() -> SchemaRegistry:
    return SchemaRegistry.load()


def copy_dataset(src: Path, dst: Path, overlay: Path | None = None) -> Path:
    """Copy the dataset *src* to *dst* (articles, annotations, registries), then lay the
    files of *overlay* over it (a ``name.delete`` file deletes ``name``)."""
    shutil.copytree(src / "seeds", dst / "seeds")
    if overlay is not None:
        for f in sorted(overlay.rglob("*")):
            rel = f.relative_to(overlay)
            if f.is_dir() or rel.parts[0] != "seeds":
                continue
            target = dst / rel
            if f.name.endswith(".delete"):
                target.with_name(f.name.removesuffix(".delete")).unlink()
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(f.read_bytes())
    return dst


def folder_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under *folder*, by its path relative to it, with its bytes: two folders
    are the same, byte for byte, when these are equal."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A writable copy of the small fixture dataset (two articles)."""
    return copy_dataset(DATA / "small", tmp_path / "small")


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A writable copy of the real dataset (the five seed articles and their annotations)."""
    return copy_dataset(REPO, tmp_path / "repo")


@pytest.fixture
def run_cli() -> Callable[..., Result]:
    """Run the click CLI in-process; exceptions propagate so a crash fails the test."""

    def run(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return run


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite tests/golden/ from the current exports of the fixtures.",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


class Overran(BaseException):
    """A block ran over its deadline (a BaseException, so that no ``except OSError`` or
    ``except Exception`` of the code under test takes it for a failure it handles)."""


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail (:class:`Overran`) instead of hanging when the block runs over *seconds*."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise Overran(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
