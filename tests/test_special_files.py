"""Only regular files are read, and never more than the limit: a FIFO, a device, a socket or a
directory among the annotations or in place of an article is a finding (never a hang, never
memory exhausted), and a file is read to the limit plus one byte whatever size it claims."""

from __future__ import annotations

import os
import resource
import socket
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from conftest import deadline
from toolkit.check.run import validate_dataset
from toolkit.check.strict_json import load_json
from toolkit.publish.export import export_dataset
from toolkit.regular_file import FileTooLarge, NotRegularFile, read_regular

TOOLKIT = str(Path(sys.executable).with_name("toolkit"))
ARTICLE = "seeds/articles/000_c9643dd3023e532a.txt"
ANNOTATION = "seeds/annotations/000_c9643dd3023e532a.json"
#: /dev/null and /dev/zero (major 1, minors 3 and 5 on Linux)
DEV_NULL, DEV_ZERO = os.makedev(1, 3), os.makedev(1, 5)


def _device(path: Path, device: int) -> None:
    """A character device node at *path* (skips the test where nodes cannot be made)."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o600, device)
    except PermissionError:
        pytest.skip("making a device node needs CAP_MKNOD")


def _unreadable(root: Path, name: str) -> list[str]:
    """The messages of the file-unreadable findings of the annotation *name*."""
    with deadline(60):
        report = validate_dataset(root).report
    return [
        f.message
        for f in report.findings
        if f.file == f"seeds/annotations/{name}" and f.code == "file-unreadable"
    ]


def test_a_fifo_among_the_annotations_is_a_finding_not_a_hang(seeds_copy: Path) -> None:
    os.mkfifo(seeds_copy / "seeds/annotations/x.json")
    assert _unreadable(seeds_copy, "x.json") == [
        "the file is a FIFO (named pipe), not a regular file"
    ]


def test_a_fifo_among_the_annotations_refuses_the_export_without_hanging(
    seeds_copy: Path,
) -> None:
    os.mkfifo(seeds_copy / "seeds/annotations/x.json")
    with deadline(120):
        result = export_dataset(seeds_copy)
    assert not result.written
    assert [f.code for f in result.report.findings if f.file == "seeds/annotations/x.json"] == [
        "file-unreadable"
    ]


def test_the_cli_reports_a_fifo_and_exits_one(
    seeds_copy: Path, run_cli: Callable[..., Result]
) -> None:
    os.mkfifo(seeds_copy / "seeds/annotations/x.json")
    with deadline(60):
        result = run_cli("validate", "--root", str(seeds_copy), "--no-cache")
    assert result.exit_code == 1
    assert "seeds/annotations/x.json:1:1: error file-unreadable the file is a FIFO" in (
        result.output
    )


def test_a_character_device_among_the_annotations_is_a_finding(seeds_copy: Path) -> None:
    _device(seeds_copy / "seeds/annotations/x.json", DEV_NULL)
    assert _unreadable(seeds_copy, "x.json") == [
        "the file is a character device, not a regular file"
    ]


def test_a_zero_device_is_not_read_until_memory_runs_out(seeds_copy: Path) -> None:
    _device(seeds_copy / "seeds/annotations/x.json", DEV_ZERO)

    def limit_memory() -> None:  # a runaway read fails in seconds, not after all memory
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    done = subprocess.run(
        [TOOLKIT, "validate", "--root", str(seeds_copy), "--no-cache"],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit_memory,
    )
    assert done.returncode == 1, done.stderr
    assert (
        "seeds/annotations/x.json:1:1: error file-unreadable the file is a character device"
    ) in done.stdout


def test_a_socket_among_the_annotations_is_a_finding(
    seeds_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(seeds_copy / "seeds/annotations")  # a socket's path is short
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind("x.json")
        assert _unreadable(seeds_copy, "x.json") == ["the file is a socket, not a regular file"]


def test_a_directory_among_the_annotations_is_a_finding(seeds_copy: Path) -> None:
    (seeds_copy / "seeds/annotations/x.json").mkdir()
    assert _unreadable(seeds_copy, "x.json") == ["the file is a directory, not a regular file"]


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (os.mkfifo, "a FIFO (named pipe)"),
        (lambda p: _device(p, DEV_ZERO), "a character device"),
    ],
    ids=["fifo", "zero-device"],
)
def test_an_article_that_is_a_special_file_is_missing_and_says_what_it_is(
    seeds_copy: Path, make: Callable[[Path], None], kind: str
) -> None:
    article = seeds_copy / ARTICLE
    article.unlink()
    make(article)
    with deadline(60):
        report = validate_dataset(seeds_copy).report
    [finding] = [f for f in report.findings if f.file == ANNOTATION]
    assert (finding.code, finding.pointer) == ("source-missing", "/source/article_id")
    assert finding.message.endswith(f"is {kind}, not a regular file")


def test_an_article_over_the_limit_is_not_read(seeds_copy: Path) -> None:
    article = seeds_copy / ARTICLE
    with open(article, "r+b") as f:
        f.truncate(100 * 1024 * 1024)  # sparse: nothing is written
    report = validate_dataset(seeds_copy).report
    [finding] = [f for f in report.findings if f.file == ANNOTATION]
    assert finding.code == "source-missing"
    assert "over the limit" in finding.message


def test_a_size_smaller_than_the_contents_does_not_lift_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file grew after its size was taken (or its file system misreports it): the read
    stops at the limit plus one byte all the same."""
    path = tmp_path / "grown.json"
    path.write_text('{"notes": "' + "x" * 1000 + '"}')
    real_fstat = os.fstat

    def fstat_claiming_ten_bytes(fd: int) -> os.stat_result:
        st = real_fstat(fd)
        return os.stat_result((*st[:6], 10, *st[7:10]))

    monkeypatch.setattr(os, "fstat", fstat_claiming_ten_bytes)
    [finding] = load_json(path, "grown.json", max_bytes=100).findings
    assert finding.code == "file-too-large"
    assert "more than 100 bytes were read" in finding.message


def test_a_file_whose_size_reads_zero_is_still_bounded() -> None:
    """Files of /proc claim 0 bytes and hold more."""
    maps = Path("/proc/self/maps")
    if not maps.exists():
        pytest.skip("no /proc")
    [finding] = load_json(maps, "maps", max_bytes=64).findings
    assert finding.code == "file-too-large"


def test_read_regular_reads_regular_files_whole_and_refuses_the_rest(tmp_path: Path) -> None:
    empty, small = tmp_path / "empty", tmp_path / "small"
    empty.write_bytes(b"")
    small.write_bytes(b"x" * 100)
    assert read_regular(empty, 0) == b""
    assert read_regular(small, 100) == b"x" * 100
    with pytest.raises(FileTooLarge, match="100 bytes is over the limit of 99 bytes"):
        read_regular(small, 99)
    with pytest.raises(NotRegularFile, match="a directory") as refused:
        read_regular(tmp_path, 100)
    assert refused.value.kind == "a directory"
    link = tmp_path / "link"
    link.symlink_to(small)
    assert read_regular(link, 100) == b"x" * 100
    with pytest.raises(NotRegularFile, match="a symbolic link"):
        read_regular(link, 100, follow_links=False)
    with pytest.raises(FileNotFoundError):
        read_regular(tmp_path / "absent", 100)
