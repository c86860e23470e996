"""The contributor's loop, through the CLI on copies of the seeds: every reference resolved
with close matches named, a scaffold refused until filled, names tied to their quotes, one
occurrence of a repeated quote picked, and the bookkeeping generated."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import Result

from conftest import REPO
from toolkit.canonical_json import canonical_bytes
from toolkit.docs import seeds_table

A3 = "003_ca5597f59c992008"
A4 = "004_10177aab37503ad3"


def _edit(root: Path, article_id: str, change: Callable[[dict[str, Any]], None]) -> Path:
    path = root / "seeds" / "annotations" / f"{article_id}.json"
    doc = json.loads(path.read_text("utf-8"))
    change(doc)
    path.write_bytes(canonical_bytes(doc))
    return path


def _findings(result: Result) -> list[dict[str, Any]]:
    return list(json.loads(result.output)["findings"])


def test_a_dangling_related_id_is_located_with_its_close_matches(
    seeds_copy: Path, run_cli: Callable[..., Result]
) -> None:
    meant: list[str] = []

    def misspell(doc: dict[str, Any]) -> None:
        flag = next(f for a in doc["agreements"] for f in a.get("flags", []) if f.get("related"))
        meant.append(flag["related"][0])
        flag["related"][0] = flag["related"][0][:-1]  # one letter short

    _edit(seeds_copy, A3, misspell)
    result = run_cli("validate", "--root", str(seeds_copy), "--no-cache", "--format", "json")
    assert result.exit_code == 1
    [finding] = _findings(result)
    assert finding["code"] == "reference-unresolved"
    assert finding["file"] == f"seeds/annotations/{A3}.json"
    assert finding["pointer"].endswith("/related/0") and finding["line"] > 1
    assert finding["hint"].startswith("Did you mean ") and meant[0] in finding["hint"]


def test_a_relation_to_a_misspelt_key_names_the_key_meant(
    seeds_copy: Path, run_cli: Callable[..., Result]
) -> None:
    meant: list[str] = []

    def misspell(doc: dict[str, Any]) -> None:
        relation = next(r for a in doc["agreements"] for r in a.get("relations", []))
        meant.append(relation["canonical_key"])
        relation["canonical_key"] = relation["canonical_key"][:-1]

    _edit(seeds_copy, A4, misspell)
    result = run_cli("validate", "--root", str(seeds_copy), "--no-cache", "--format", "json")
    assert result.exit_code == 1
    [finding] = _findings(result)
    assert finding["pointer"].endswith("/canonical_key") and "relations" in finding["pointer"]
    assert finding["hint"].startswith("Did you mean ") and meant[0] in finding["hint"]


def test_an_unfilled_scaffold_is_refused_until_filled(
    seeds_copy: Path, run_cli: Callable[..., Result]
) -> None:
    article = "005_00000000000000e5"
    text = "Hanoi, 15 December 2023 — Officials of both sides met again.\n"
    (seeds_copy / "seeds" / "articles" / f"{article}.txt").write_text(text, "utf-8")
    made = run_cli("new", article, "--root", str(seeds_copy), "--annotator", "ann-9")
    assert made.exit_code == 0, made.output
    doc = json.loads((seeds_copy / "seeds" / "annotations" / f"{article}.json").read_text())
    assert doc["provenance"] == {
        "annotators": ["ann-9"],
        "annotated_on": dt.date.today().isoformat(),
    }
    result = run_cli("validate", "--root", str(seeds_copy), "--no-cache", "--format", "json")
    assert result.exit_code == 1
    unfilled = {f["pointer"] for f in _findings(result) if f["code"] == "annotation-unfilled"}
    assert unfilled == {"", "/source/title/text", "/source/publication/basis"}

    def filled(doc: dict[str, Any]) -> None:
        doc["source"]["title"] = {"text": "Officials meet again", "assigned": True}
        doc["source"]["publication"]["notes"] = "The dateline is of the meeting, not the page."
        doc["no_records"] = {"reason": "A meeting with no agreement, actor or date named."}

    _edit(seeds_copy, article, filled)
    again = run_cli("validate", "--root", str(seeds_copy), "--no-cache")
    assert again.exit_code == 0, again.output


def test_a_name_missing_from_its_quotes_is_an_error(
    seeds_copy: Path, run_cli: Callable[..., Result]
) -> None:
    names: list[int] = []

    def add_name(doc: dict[str, Any]) -> None:
        written = doc["actors"][0]["names_as_written"]
        names.append(len(written))
        written.append("the Dragon")

    _edit(seeds_copy, A3, add_name)
    result = run_cli("validate", "--root", str(seeds_copy), "--no-cache", "--format", "json")
    assert result.exit_code == 1
    [finding] = _findings(result)
    assert finding["code"] == "name-not-in-evidence"
    assert finding["pointer"] == f"/actors/0/names_as_written/{names[0]}"


def test_locate_picks_one_occurrence_of_a_repeated_quote(
    run_cli: Callable[..., Result],
) -> None:
    text = (REPO / "seeds" / "articles" / f"{A3}.txt").read_text("utf-8")
    starts = [i for i in range(len(text)) if text.startswith("Xi", i)]
    refused = run_cli("locate", A3, "Xi")
    assert refused.exit_code != 0 and "--occurrence N" in refused.output
    second = run_cli("locate", A3, "Xi", "--occurrence", "2")
    assert second.output.split() == [str(starts[1]), str(starts[1] + 2)]
    after = run_cli("locate", A3, "Xi", "--after", str(starts[2] - 1))
    assert after.output.split() == [str(starts[2]), str(starts[2] + 2)]
    passage = text[starts[3] : starts[3] + 30]
    within = run_cli("locate", A3, "Xi", "--within", passage)
    assert within.output.split() == [str(starts[3]), str(starts[3] + 2)]
    every = [json.loads(line) for line in run_cli("locate", A3, "Xi", "--all").output.split("\n")
             if line]  # fmt: skip
    assert [e["start"] for e in every] == starts
    assert all(text[e["start"] : e["end"]] == "Xi" for e in every)
    missing = run_cli("locate", A3, "Xi", "--occurrence", str(len(starts) + 1))
    assert missing.exit_code != 0 and f"it has {len(starts)}" in missing.output


def test_the_seeds_table_is_generated_and_checked(tmp_path: Path) -> None:
    readme = (REPO / "seeds" / "README.md").read_text("utf-8")
    assert seeds_table(REPO) in readme
    copy = tmp_path / "repo"
    shutil.copytree(REPO / "seeds", copy / "seeds")
    _edit(copy, A3, lambda d: d["agreements"].pop())
    assert seeds_table(copy) != seeds_table(REPO)
    assert f"| `{A3}` | China and Vietnam agrees to enhance security cooperation | 13 |" in (
        seeds_table(copy)
    )


def test_contributing_asks_for_nothing_a_command_does() -> None:
    steps = (REPO / "CONTRIBUTING.md").read_text("utf-8")
    assert "Update** `seeds/README.md`" not in steps
    assert "make docs" in steps
