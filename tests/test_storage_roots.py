"""A dataset root given as an fsspec URL reads as the same dataset at a local path: the same
findings byte for byte in the JSON report for ``memory://`` and ``file://`` roots, clean and
with planted errors; a file over the size limit refused from its size before any read, and
no more than the limit plus one byte read whatever the size claims; an unknown protocol or a
missing backend is a usage error naming it (exit 2), credentials never shown; no result
cache for a URL root; commands that write or need a checkout refuse one; and the workers of
a real Dask cluster read a ``file://`` root as the local run does."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import fsspec
import pytest
from click.testing import Result
from fsspec.implementations.memory import MemoryFileSystem

from conftest import REPO, copy_dataset, folder_bytes
from toolkit import validate_dataset
from toolkit.check.strict_json import MAX_BYTES
from toolkit.dataset import Dataset
from toolkit.regular_file import FileTooLarge, NotRegularFile

A0 = "seeds/annotations/000_c9643dd3023e532a.json"
A1 = "seeds/annotations/001_96df6b17180d74ab.json"
A2 = "seeds/annotations/002_b73b0a0bcbca2c9e.json"
JSON = ("--no-cache", "--format", "json")


def to_memory(local: Path, fs: Any = None, protocol: str = "memory") -> str:
    """A copy of the dataset folder *local* in a memory file system, empty folders included,
    under a new name; its URL."""
    fs = fs or fsspec.filesystem("memory")
    base = f"/roots/{uuid.uuid4().hex}"
    for folder, dirs, files in os.walk(local):
        rel = Path(folder).relative_to(local).as_posix()
        target = base if rel == "." else f"{base}/{rel}"
        if not files and not dirs:
            fs.mkdir(target)
        for name in files:
            fs.pipe_file(f"{target}/{name}", (Path(folder) / name).read_bytes())
    return f"{protocol}:/{base}"


@pytest.fixture(scope="module")
def seeds_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's seeds/ (nothing else of the checkout)."""
    return copy_dataset(REPO, tmp_path_factory.mktemp("seeds") / "repo")


@pytest.fixture(autouse=True)
def _empty_memory() -> Iterator[None]:
    """Each test's copies in the memory file system are removed after it."""
    yield
    fs = fsspec.filesystem("memory")
    for top in ("/roots", "/AKIAKEY:TOPSECRET@creds"):
        if fs.exists(top):
            fs.rm(top, recursive=True)


@pytest.fixture
def memory_seeds(seeds_root: Path) -> str:
    """The seeds in the memory file system: its URL."""
    return to_memory(seeds_root)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds with a broken JSON file, a schema violation, an unknown actor, an oversized
    file and a folder named like an annotation file."""
    root = copy_dataset(REPO, tmp_path_factory.mktemp("planted") / "repo")
    folder = root / "seeds" / "annotations"
    (folder / "900_00000000000000a1.json").write_bytes(b'{"schema_version": "1.1.0", "source"')
    doc = json.loads((root / A1).read_text("utf-8"))
    doc["provenance"]["annotated_on"] = 12345
    (root / A1).write_text(json.dumps(doc, ensure_ascii=False, indent=2), "utf-8")
    doc = json.loads((root / A2).read_text("utf-8"))
    doc["actors"][0]["actor_id"] = "act-nobody-known"
    (root / A2).write_text(json.dumps(doc, ensure_ascii=False, indent=2), "utf-8")
    (folder / "900_00000000000000a2.json").write_bytes(b" " * (MAX_BYTES + 1))
    (folder / "900_00000000000000a3.json").mkdir()
    return root


def _reports(run_cli: Callable[..., Result], root: Path, url: str) -> tuple[Result, ...]:
    return (
        run_cli("validate", "--root", str(root), *JSON),
        run_cli("validate", "--root", url, *JSON),
        run_cli("validate", "--root", root.as_uri(), *JSON),
    )


def test_memory_and_file_roots_report_the_seeds_as_the_local_path_does(
    seeds_root: Path, run_cli: Callable[..., Result]
) -> None:
    url = to_memory(seeds_root)
    local, memory, file = _reports(run_cli, seeds_root, url)
    assert local.exit_code == memory.exit_code == file.exit_code == 0, memory.output
    assert memory.stdout == local.stdout
    assert file.stdout == local.stdout
    assert json.loads(local.stdout)["stats"]["files"] == 6


def test_planted_errors_are_the_same_findings_byte_for_byte_on_every_root(
    planted: Path, run_cli: Callable[..., Result]
) -> None:
    url = to_memory(planted)
    local, memory, file = _reports(run_cli, planted, url)
    assert local.exit_code == memory.exit_code == file.exit_code == 1
    assert memory.stdout == local.stdout
    assert file.stdout == local.stdout
    found = {
        (f["file"].rsplit("/", 1)[-1], f["code"]) for f in json.loads(local.stdout)["findings"]
    }
    assert {
        ("900_00000000000000a1.json", "json-syntax"),
        ("001_96df6b17180d74ab.json", "schema-violation"),
        ("900_00000000000000a2.json", "file-too-large"),
        ("900_00000000000000a3.json", "file-unreadable"),
    } <= found
    assert ("002_b73b0a0bcbca2c9e.json", "reference-unresolved") in found
    assert "memory:" not in memory.stdout


def test_the_dataset_reads_a_memory_root_by_name(seeds_root: Path) -> None:
    url = to_memory(seeds_root)
    fs = fsspec.filesystem("memory")
    fs.mkdir(f"{url.removeprefix('memory:/')}/seeds/annotations/x.json")
    dataset = Dataset.at(url)
    local = Dataset.at(seeds_root)
    assert not dataset.is_local and local.is_local
    assert dataset.url == url and local.url is None
    assert dataset.article_ids() == local.article_ids()
    assert dataset.article_files() == local.article_files()
    assert dataset.annotation_names() == [*local.annotation_names(), "seeds/annotations/x.json"]
    data = (seeds_root / A0).read_bytes()
    assert dataset.read_bytes(A0, len(data)) == data
    assert dataset.sha256(A0) == hashlib.sha256(data).hexdigest() == local.sha256(A0)
    assert dataset.is_file(A0) and not dataset.is_file("seeds/annotations/x.json")
    assert dataset.location(A0) == f"{url}/{A0}"
    with pytest.raises(FileTooLarge, match=f"{len(data)} bytes is over the limit"):
        dataset.read_bytes(A0, len(data) - 1)
    with pytest.raises(NotRegularFile, match="a directory"):
        dataset.read_bytes("seeds/annotations/x.json", 100)
    with pytest.raises(FileNotFoundError):
        dataset.read_bytes("seeds/annotations/absent.json", 100)
    with pytest.raises(OSError):
        dataset.sha256("seeds/annotations/x.json")


class CountingMemory(MemoryFileSystem):
    """A memory file system of its own that counts the bytes read of each file, may claim
    a smaller size than a file has, and ignores the range of a ranged read (as an HTTP
    server may)."""

    protocol = "countingmem"
    store: ClassVar[dict[str, Any]] = {}  # a store of its own, not the memory:// one
    pseudo_dirs: ClassVar[list[str]] = [""]
    read: ClassVar[dict[str, int]] = {}
    claims: ClassVar[dict[str, int | None]] = {}

    @classmethod
    def _strip_protocol(cls, path: str) -> str:
        stripped: str = super()._strip_protocol(path.removeprefix("countingmem:/"))
        return stripped

    def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        info: dict[str, Any] = super().info(path, **kwargs)
        if info["name"] in self.claims:
            info["size"] = self.claims[info["name"]]
        return info

    def cat_file(self, path: str, start: Any = None, end: Any = None, **kw: Any) -> bytes:
        data: bytes = super().cat_file(path, **kw)  # the whole file, whatever was asked
        self._count(path, len(data))
        return data

    def _open(self, path: str, mode: str = "rb", **kwargs: Any) -> Any:
        opened = super()._open(path, mode, **kwargs)
        if "r" in mode:
            whole = opened.read

            def read(size: int = -1) -> bytes:
                data: bytes = whole(size)
                self._count(path, len(data))
                return data

            opened.read = read
        return opened

    def _count(self, path: str, size: int) -> None:
        name = self._strip_protocol(path)
        self.read[name] = self.read.get(name, 0) + size


@pytest.fixture
def counting(seeds_root: Path) -> Iterator[tuple[CountingMemory, str]]:
    fsspec.register_implementation("countingmem", CountingMemory, clobber=True)
    fs = CountingMemory()
    url = to_memory(seeds_root, fs, protocol="countingmem")
    yield fs, url
    CountingMemory.store.clear()
    CountingMemory.read.clear()
    CountingMemory.claims.clear()


def test_a_file_over_the_limit_is_refused_from_its_size_before_any_read(
    counting: tuple[CountingMemory, str],
) -> None:
    fs, url = counting
    base = url.removeprefix("countingmem:/")
    big = f"{base}/seeds/annotations/900_00000000000000b1.json"
    fs.pipe_file(big, b" " * 200_000)
    report = validate_dataset(url, max_bytes=100_000).report
    [finding] = [f for f in report.findings if f.file.endswith("b1.json")]
    assert finding.code == "file-too-large"
    assert "200000 bytes is over the limit of 100000 bytes" in finding.message
    assert fs.read.get(big, 0) == 0
    assert fs.read[f"{base}/{A0}"] == (REPO / A0).stat().st_size


def test_no_more_than_the_limit_and_one_byte_is_read_whatever_the_size_claims(
    counting: tuple[CountingMemory, str],
) -> None:
    fs, url = counting
    base = url.removeprefix("countingmem:/")
    big = f"{base}/seeds/annotations/900_00000000000000b2.json"
    fs.pipe_file(big, b" " * 200_000)
    fs.claims[big] = 10  # the store misreports its size
    fs.claims[f"{base}/seeds/annotations/900_00000000000000b3.json"] = None  # or gives none
    fs.pipe_file(f"{base}/seeds/annotations/900_00000000000000b3.json", b" " * 200_000)
    report = validate_dataset(url, max_bytes=100_000).report
    for name in ("b2.json", "b3.json"):
        [finding] = [f for f in report.findings if f.file.endswith(name)]
        assert finding.code == "file-too-large"
        assert "more than 100000 bytes were read" in finding.message
        assert fs.read[f"{base}/seeds/annotations/900_00000000000000{name}"] == 100_001


def _toolkit(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed entry point's code path (``python -m toolkit``), this checkout's code."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("s3://AKIAKEY:TOPSECRET@bucket/data", "s3fs"),
        ("gs://AKIAKEY:TOPSECRET@bucket/data", "gcsfs"),
        ("nope://AKIAKEY:TOPSECRET@bucket/data", "nope://"),
    ],
)
def test_an_unknown_protocol_or_missing_backend_is_a_usage_error_naming_it(
    url: str, named: str
) -> None:
    if named.endswith("fs") and importlib.util.find_spec(named) is not None:
        pytest.skip(f"{named} is installed here")
    done = _toolkit("validate", "--root", url)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and named in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert "TOPSECRET" not in done.stderr and "AKIAKEY" not in done.stderr
    assert "***@bucket/data" in done.stderr


def test_credentials_in_a_url_root_never_appear_in_findings_or_messages(
    planted: Path, run_cli: Callable[..., Result]
) -> None:
    fs = fsspec.filesystem("memory")
    base = "/AKIAKEY:TOPSECRET@creds"  # the userinfo of memory://AKIAKEY:TOPSECRET@creds
    for folder, _dirs, files in os.walk(planted):
        rel = Path(folder).relative_to(planted).as_posix()
        for name in files:
            fs.pipe_file(f"{base}/{rel}/{name}", (Path(folder) / name).read_bytes())
    for fmt in ("text", "json", "sarif"):
        done = run_cli("validate", "--root", f"memory:/{base}", "--format", fmt)
        assert done.exit_code == 1
        assert "TOPSECRET" not in done.output and "AKIAKEY" not in done.output
    missing = run_cli("validate", "--root", "memory://AKIAKEY:TOPSECRET@absent")
    assert missing.exit_code == 2 and "memory://***@absent" in missing.output
    assert "TOPSECRET" not in missing.output
    refused = run_cli("validate", "--root", f"memory:/{base}", "seeds/../../x.json")
    assert refused.exit_code == 2 and "TOPSECRET" not in refused.output


def test_a_url_root_runs_without_the_result_cache(
    memory_seeds: str, seeds_root: Path, run_cli: Callable[..., Result]
) -> None:
    first = validate_dataset(memory_seeds, cache=True)
    second = validate_dataset(memory_seeds, cache=True)
    assert first.reused == second.reused == 0
    assert second.dataset_checks == "ran"
    local = validate_dataset(seeds_root)
    assert second.report.to_dict() == local.report.to_dict()
    assert run_cli("validate", "--root", memory_seeds).exit_code == 0  # --cache is the default


def test_a_memory_root_is_checked_in_this_process_whatever_jobs_says(
    memory_seeds: str, seeds_root: Path
) -> None:
    here = validate_dataset(memory_seeds, jobs=2)
    assert here.report.to_dict() == validate_dataset(seeds_root, jobs=2).report.to_dict()


def test_paths_on_a_url_root_are_names_relative_to_it(
    memory_seeds: str, run_cli: Callable[..., Result]
) -> None:
    article = "seeds/articles/000_c9643dd3023e532a.txt"
    for path in (A0, f"{memory_seeds}/{A0}", article):
        done = run_cli("validate", "--root", memory_seeds, "--format", "json", path)
        assert done.exit_code == 0, done.output
        assert json.loads(done.stdout)["checked"] == [A0]
    for path in ("seeds/nothing.json", "../elsewhere/seeds", "s3://bucket/seeds"):
        done = run_cli("validate", "--root", memory_seeds, path)
        assert done.exit_code == 2 and done.output.startswith("error: "), done.output


@pytest.mark.parametrize(
    "args",
    [
        ("migrate", "--check"),
        ("new", "000_c9643dd3023e532a"),
        ("locate", "000_c9643dd3023e532a", "Xi"),
        ("review",),
        ("diff",),
    ],
)
def test_commands_that_need_a_folder_refuse_a_url_root_in_one_line(
    args: tuple[str, ...], run_cli: Callable[..., Result]
) -> None:
    done = run_cli(*args, "--root", "memory://KEY:SECRET@data")
    assert done.exit_code == 2
    assert done.output.count("\n") == 1 and done.output.startswith("error: --root memory://***@")
    assert f"`toolkit {args[0]}` needs a dataset folder" in done.output
    assert "SECRET" not in done.output


def test_an_export_of_a_memory_root_publishes_what_the_local_export_does(
    seeds_root: Path, memory_seeds: str, tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    """A dataset at a URL is read through fsspec and published into a local folder: the
    files a local export of the same dataset publishes, byte for byte."""
    local = copy_dataset(seeds_root, tmp_path / "local")
    assert run_cli("export", "--root", str(local)).exit_code == 0
    out = tmp_path / "from-memory"
    done = run_cli("export", "--root", memory_seeds, "--out", str(out))
    assert done.exit_code == 0, done.output
    assert folder_bytes(out) == folder_bytes(local / "exports")
    checked = run_cli("export", "--root", memory_seeds, "--out", str(out), "--check")
    assert checked.exit_code == 0 and "matches a fresh build" in checked.output


def test_an_export_of_a_url_root_needs_a_folder_to_publish_into(
    memory_seeds: str, run_cli: Callable[..., Result]
) -> None:
    done = run_cli("export", "--root", memory_seeds)
    assert done.exit_code == 2
    assert done.output.startswith("error: memory://") and "give --out DIRECTORY" in done.output


def test_an_invalid_url_root_is_refused_and_nothing_published(
    planted: Path, tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    out = tmp_path / "never"
    done = run_cli("export", "--root", to_memory(planted), "--out", str(out))
    assert done.exit_code == 1 and "export refused" in done.output
    assert not out.exists()


def test_changed_since_refuses_a_url_root(
    memory_seeds: str, run_cli: Callable[..., Result]
) -> None:
    done = run_cli("validate", "--root", memory_seeds, "--changed-since", "HEAD")
    assert done.exit_code == 2 and "--changed-since" in done.output and "URL root" in done.output


def test_a_file_url_root_is_the_local_folder(
    seeds_root: Path, run_cli: Callable[..., Result]
) -> None:
    assert Dataset.at(seeds_root.as_uri()).root == seeds_root.resolve()
    assert Dataset.at(f"file://localhost{seeds_root}").is_local
    done = run_cli("validate", "--root", "file://elsewhere/data")
    assert done.exit_code == 2 and "file:///ABSOLUTE/PATH" in done.output


def test_a_cluster_reads_a_file_root_as_the_local_run_does(
    planted: Path, run_cli: Callable[..., Result]
) -> None:
    """Two worker processes of a real LocalCluster; a memory:// root, which its workers
    cannot see, is a usage error saying so rather than every file reported absent."""
    pytest.importorskip("distributed")
    from toolkit.check.cluster import local_cluster

    local = run_cli("validate", "--root", str(planted), *JSON)
    url = to_memory(planted)
    with local_cluster(2) as address:
        remote = run_cli("validate", "--root", planted.as_uri(), *JSON, "--scheduler", address)
        memory = run_cli("validate", "--root", url, *JSON, "--scheduler", address)
    assert local.exit_code == remote.exit_code == 1
    assert remote.stdout == local.stdout
    assert memory.exit_code == 2
    assert "a worker of the cluster cannot read the dataset" in memory.output


@pytest.mark.parametrize(
    ("url", "secrets"),
    [
        ("s3://KEY:SECRET@bucket/x", ("KEY", "SECRET")),
        ("s3://AKIAKEY:SEC/RETKEY@bucket/x", ("AKIAKEY", "SEC/RETKEY", "RETKEY")),
        ("s3://AKIAKEY:pass@word@bucket/x", ("AKIAKEY", "pass@word", "word@")),
        ("s3://bucket/x?secret_access_key=QUERYSECRET", ("QUERYSECRET",)),
        ("gs://bucket/x#token=FRAGSECRET", ("FRAGSECRET",)),
        ("simplecache::s3://AKIAKEY:CHAINSECRET@bucket/x", ("AKIAKEY", "CHAINSECRET")),
        ("memory://AKIAKEY:MEMSECRET@absent", ("AKIAKEY", "MEMSECRET")),
    ],
)
def test_no_spelling_of_credentials_in_a_url_is_shown(
    url: str, secrets: tuple[str, ...], run_cli: Callable[..., Result]
) -> None:
    """Userinfo holding ``/`` or ``@``, a query or fragment, a chain of file systems: the
    one-line error shows none of it."""
    done = run_cli("validate", "--root", url)
    assert done.exit_code == 2 and done.output.count("\n") == 1, done.output
    for secret in secrets:
        assert secret not in done.output, done.output


@pytest.mark.parametrize("url", ["memory:///", "s3:///", "gs:////", "memory://"])
def test_a_url_that_names_no_folder_is_refused(url: str, run_cli: Callable[..., Result]) -> None:
    done = run_cli("validate", "--root", url)
    assert done.exit_code == 2 and "the URL names no folder" in done.output, done.output


def test_every_spelling_of_a_local_folder_is_read_as_the_folder(
    planted: Path, tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    """``local://`` is the folder, with its refusals (links, --out), as ``file://`` is; a
    chain of file systems over a local folder is refused rather than read around them."""
    assert Dataset.at(f"local://{planted}").is_local
    by_path = run_cli("validate", "--root", str(planted), *JSON)
    by_url = run_cli("validate", "--root", f"local://{planted}", *JSON)
    assert by_url.output == by_path.output and by_url.exit_code == 1
    chained = run_cli("validate", "--root", f"simplecache::file://{planted}")
    assert chained.exit_code == 2 and "give its path" in chained.output
    root = copy_dataset(planted, tmp_path / "ds")
    (root / "SHA256SUMS").write_text("", "utf-8")
    done = run_cli("export", "--root", f"local://{root}", "--out", str(root))
    assert done.exit_code == 2 and "would replace the dataset" in done.output
    assert (root / "seeds").is_dir()
