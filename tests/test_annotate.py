"""Annotator helpers: `toolkit locate` and `toolkit new`, on the real seed articles."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from toolkit.authoring.locate import locate
from toolkit.authoring.new import new_annotation
from toolkit.dataset import Dataset, read_article
from toolkit.errors import QuoteAmbiguous, QuoteNotFound
from toolkit.registry import SchemaRegistry
from toolkit.text import occurrences

A3 = "003_ca5597f59c992008"
TOOLKIT = str(Path(sys.executable).with_name("toolkit"))


def test_locate_returns_offsets_whose_slice_is_the_quote() -> None:
    dataset = Dataset.at(REPO)
    text = read_article(dataset.article_path(A3))
    span = locate(dataset, A3, "Prime Minister Pham Minh Chinh")
    assert text[span.start : span.end] == "Prime Minister Pham Minh Chinh"


def test_locate_takes_curly_quotes_exactly() -> None:
    dataset = Dataset.at(REPO)
    span = locate(dataset, A3, "“colour revolution”")
    assert read_article(dataset.article_path(A3))[span.start : span.end] == "“colour revolution”"
    with pytest.raises(QuoteNotFound, match="does not occur"):
        locate(dataset, A3, '"colour revolution"')


def test_locate_lists_every_occurrence_of_an_ambiguous_quote() -> None:
    dataset = Dataset.at(REPO)
    with pytest.raises(QuoteAmbiguous) as exc:
        locate(dataset, A3, "Xi")
    text = read_article(dataset.article_path(A3))
    for span in occurrences(text, "Xi"):
        assert f"{span.start}-{span.end} (line {span.line}, col {span.column})" in str(exc.value)


def test_locate_command(run_cli) -> None:  # type: ignore[no-untyped-def]
    ok = run_cli("locate", A3, "Pham Minh Chinh", "--root", str(REPO))
    assert ok.exit_code == 0
    start, end = map(int, ok.output.split())
    assert end - start == len("Pham Minh Chinh")
    missing = run_cli("locate", A3, "Ho Chi Minh", "--root", str(REPO))
    assert missing.exit_code == 1  # not found, as search tools say it
    assert "does not occur" in missing.output
    unknown = run_cli("locate", "999_0000000000000000", "x", "--root", str(REPO))
    assert unknown.exit_code == 2 and "no article" in unknown.output


def test_new_writes_a_document_with_the_source_filled_in(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    shutil.copytree(REPO / "seeds" / "articles", tmp_path / "seeds" / "articles")
    result = run_cli("new", A3, "--root", str(tmp_path), "--annotator", "ann-1")
    assert result.exit_code == 0
    doc = json.loads((tmp_path / "seeds" / "annotations" / f"{A3}.json").read_text("utf-8"))
    expected = new_annotation(Dataset.at(tmp_path), A3, SchemaRegistry.load(), "ann-1")
    assert doc["source"] == expected["source"]
    latest = SchemaRegistry.load().latest
    assert doc["$schema"] == f"../../schemas/{latest}/annotation.schema.json"
    assert not list(SchemaRegistry.load().validator("annotation").iter_errors(doc))
    again = run_cli("new", A3, "--root", str(tmp_path))
    assert again.exit_code == 2 and "--force" in again.output


def test_installed_command_locates_a_quote() -> None:
    out = subprocess.run(
        [TOOLKIT, "locate", A3, "Pham Minh Chinh"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    start, end = map(int, out.stdout.split())
    assert end - start == 15
