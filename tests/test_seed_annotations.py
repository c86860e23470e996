"""The published annotations of the five seed articles: valid, every quote exact, counts pinned,
chrome kept out, prospective and speculative statuses kept weak, conflicts and typos flagged."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import REPO
from toolkit.check.run import validate_dataset

ANNOTATIONS = REPO / "seeds" / "annotations"
ARTICLES = REPO / "seeds" / "articles"

#: Per article: (agreements, actors, dates). seeds/README.md lists the same figures.
COUNTS = {
    "000_c9643dd3023e532a": (9, 6, 0),
    "001_96df6b17180d74ab": (14, 3, 2),
    "002_b73b0a0bcbca2c9e": (10, 8, 0),
    "003_ca5597f59c992008": (14, 6, 3),
    "004_10177aab37503ad3": (26, 25, 11),
}


def _documents() -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text("utf-8")) for p in sorted(ANNOTATIONS.glob("*.json"))}


def _evidence(node: Any, pointer: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every evidence object (a dict with quote and offsets) under *node*, with its pointer."""
    if isinstance(node, dict):
        if {"article_id", "quote", "start", "end"} <= node.keys():
            yield pointer, node
        for key, value in node.items():
            yield from _evidence(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _evidence(value, f"{pointer}/{i}")


def test_every_article_has_one_annotation_document() -> None:
    assert sorted(_documents()) == sorted(p.stem for p in ARTICLES.glob("*.txt"))


def test_the_dataset_validates_without_errors_or_warnings() -> None:
    report = validate_dataset(REPO).report
    assert [f.code for f in report.findings] == []


def test_every_quote_is_the_article_text_at_its_offsets() -> None:
    """Checked here with nothing but slicing, independently of the validator."""
    checked = 0
    for article_id, doc in _documents().items():
        text = (ARTICLES / f"{article_id}.txt").read_bytes().decode("utf-8")
        for pointer, ev in _evidence(doc):
            assert ev["article_id"] == article_id, pointer
            assert 0 <= ev["start"] < ev["end"] <= len(text), pointer
            assert text[ev["start"] : ev["end"]] == ev["quote"], (article_id, pointer)
            checked += 1
    assert checked > 200


def test_no_evidence_outside_the_article_body() -> None:
    for article_id, doc in _documents().items():
        span, excluded = doc["source"]["content_span"], doc["source"].get("excluded_spans", [])
        for pointer, ev in _evidence(doc):
            if pointer.startswith(("/source/publisher", "/source/publication")):
                continue
            assert span["start"] <= ev["start"] and ev["end"] <= span["end"], (article_id, pointer)
            for x in excluded:
                assert ev["end"] <= x["start"] or x["end"] <= ev["start"], (article_id, pointer)


def test_per_article_counts_are_pinned_and_listed_in_the_seeds_readme() -> None:
    docs = _documents()
    actual = {a: (len(d["agreements"]), len(d["actors"]), len(d["dates"])) for a, d in docs.items()}
    assert actual == COUNTS
    readme = (REPO / "seeds" / "README.md").read_text("utf-8")
    for article_id, (agreements, actors, dates) in COUNTS.items():
        row = re.search(rf"^\| `{article_id}` \|(.*)$", readme, re.M)
        assert row, article_id
        cells = [c.strip() for c in row.group(1).split("|")]
        assert cells[1:4] == [str(agreements), str(actors), str(dates)], article_id


@pytest.mark.parametrize("name", ["Maggie Benson", "Teresa Avila", "Occasional Digest", "Pope"])
def test_chrome_names_are_not_actors(name: str) -> None:
    for doc in _documents().values():
        for mention in doc["actors"]:
            assert name not in mention["names_as_written"]
    registry = json.loads((REPO / "seeds" / "actors.json").read_text("utf-8"))
    assert name not in {a["name"] for a in registry["actors"]}


def test_the_pre_visit_article_states_nothing_as_done() -> None:
    doc = _documents()["002_b73b0a0bcbca2c9e"]
    assert doc["source"]["publication"] == {
        **doc["source"]["publication"],
        "date": "2023-12-12",
        "basis": "stated",
    }
    for agreement in doc["agreements"]:
        if agreement["factuality"] == "asserted":
            assert agreement["status"] in {"announced", "offered", "proposed"}, agreement
            continue
        assert agreement["status"] not in {"signed", "agreed", "renewed"}, agreement
        assert any(f["kind"] == "prospective" for f in agreement.get("flags", [])), agreement


def test_speculative_and_negated_records_are_never_signed() -> None:
    for doc in _documents().values():
        for agreement in doc["agreements"]:
            if agreement["factuality"] in {"speculative", "negated"}:
                assert agreement["status"] not in {"signed", "agreed", "renewed"}, agreement
            if agreement["status"] == "not_reached":
                assert agreement["factuality"] == "negated", agreement


def test_the_rare_earths_non_agreement_is_one_real_world_item() -> None:
    reports = {
        article_id: a["status"]
        for article_id, doc in _documents().items()
        for a in doc["agreements"]
        if a["canonical_key"] == "cn-vn-2023-rare-earths-agreement"
    }
    assert reports["000_c9643dd3023e532a"] == reports["001_96df6b17180d74ab"] == "not_reached"
    assert reports["002_b73b0a0bcbca2c9e"] == "unknown"


def test_distinct_items_that_sound_alike_keep_distinct_keys() -> None:
    by_id = {a["agreement_id"]: a for d in _documents().values() for a in d["agreements"]}
    pairs = [
        ("agr-001-special-economic-zones", "agr-001-cooperation-zone"),
        ("agr-004-gulf-of-tonkin-joint-patrol", "agr-004-maritime-patrols-crime-cooperation"),
        ("agr-002-kunming-haiphong-railway-grants", "agr-004-kunming-haiphong-railway-upgrade"),
        ("agr-000-rare-earths-agreement", "agr-001-rare-earths-continued-talks"),
    ]
    for a, b in pairs:
        assert by_id[a]["canonical_key"] != by_id[b]["canonical_key"]
    assert by_id["agr-001-special-economic-zones"]["status"] == "shelved"
    assert by_id["agr-004-gulf-of-tonkin-joint-patrol"]["status"] == "renewed"


def test_the_impossible_year_is_recorded_as_written_flagged_and_corrected() -> None:
    dates = {d["date_id"]: d for d in _documents()["004_10177aab37503ad3"]["dates"]}
    typo = dates["dat-004-1945-typo"]
    assert typo["value"] == "1945" and typo["text"] == "by the year 1945"
    assert [f["kind"] for f in typo["flags"]] == ["typo"]
    correction = typo["correction"]
    assert (correction["value"], correction["earliest"], correction["latest"]) == (
        "2045",
        None,
        "2045-12-31",
    )
    assert [e["quote"] for e in correction["evidence"]] == ["by the year 2045"]


def test_by_a_year_has_no_first_day() -> None:
    for doc in _documents().values():
        for date in doc["dates"]:
            if date.get("mod") in ("BEFORE", "ON_OR_BEFORE"):
                assert date["earliest"] is None, date["date_id"]


def test_dozens_and_36_are_counts_that_can_both_be_true() -> None:
    """ "Dozens" (003) is at least 24 and so may be 36 (004): the counts are not a conflict."""
    by_id = {a["agreement_id"]: a for d in _documents().values() for a in d["agreements"]}
    three, four = by_id["agr-003-cooperation-pacts"], by_id["agr-004-cooperation-pacts"]
    assert [(c["value"], c["qualifier"]) for c in four["counts"]] == [(36, "exact")]
    dozens = three["counts"][0]
    assert (dozens["value"], dozens["approximate"], dozens["qualifier"]) == (24, True, "at_least")
    for record in (three, four):
        assert not [f for f in record.get("flags", []) if f["kind"] == "conflict"]


def test_statuses_the_review_found_too_strong_are_lowered() -> None:
    by_id = {a["agreement_id"]: a for d in _documents().values() for a in d["agreements"]}
    lowered = {
        "agr-001-intelligence-exchanges": ("proposed", "emphasized the need to"),
        "agr-004-shared-future-community": ("unknown", "alludes to"),
        "agr-004-security-cooperation": ("under_negotiation", "there were discussions about"),
        "agr-004-digital-pacts": ("under_negotiation", "there were discussions about"),
        "agr-004-armed-forces-cooperation": ("unknown", "talks about"),
    }
    for agreement_id, (status, trigger) in lowered.items():
        record = by_id[agreement_id]
        assert (record["status"], record["trigger"]["quote"]) == (status, trigger), agreement_id
    assert "discussions" in by_id["agr-004-digital-pacts"]["evidence"][0]["quote"]
    for dropped in ("agr-004-brothers-and-partners", "agr-003-us-vn-diplomatic-upgrade"):
        assert dropped not in by_id  # a sentiment, and a deal with a third country


def test_split_items_are_joined_by_relations() -> None:
    relations = {
        (a["agreement_id"], r["relation"], r["canonical_key"])
        for d in _documents().values()
        for a in d["agreements"]
        for r in a.get("relations", [])
    }
    keys = {a["canonical_key"] for d in _documents().values() for a in d["agreements"]}
    assert {r[2] for r in relations} <= keys
    assert {
        (
            "agr-002-kunming-haiphong-railway-grants",
            "part_of",
            "cn-vn-kunming-haiphong-railway-upgrade",
        ),
        (
            "agr-004-shared-future-community-proposal",
            "proposal_of",
            "cn-vn-2023-shared-future-community",
        ),
        (
            "agr-004-rare-earths-joint-exploration",
            "proposal_of",
            "cn-vn-2023-critical-minerals-cooperation",
        ),
        ("agr-004-peacekeeping-nontraditional-security", "part_of", "cn-vn-2023-joint-statement"),
    } <= relations


def test_every_registry_actor_is_mentioned_and_every_mention_is_registered() -> None:
    registry = json.loads((REPO / "seeds" / "actors.json").read_text("utf-8"))
    ids = {a["actor_id"] for a in registry["actors"]}
    mentioned = {m["actor_id"] for d in _documents().values() for m in d["actors"]}
    assert mentioned == ids


def test_a_derived_date_says_how_and_a_relative_one_says_against_what() -> None:
    for doc in _documents().values():
        for date in doc["dates"]:
            assert date["derived"] == ("derivation" in date), date["date_id"]
            assert date["relative"] == ("anchor" in date), date["date_id"]


def test_a_year_taken_from_the_anchor_is_not_derived_and_never_circular() -> None:
    """004's publication date is inferred from the visit, so the visit is not anchored to
    it; a year supplied by the anchor is relative, not derived."""
    doc = _documents()["004_10177aab37503ad3"]
    assert doc["source"]["publication"]["basis"] == "inferred"
    visit = next(d for d in doc["dates"] if d["date_id"] == "dat-004-visit")
    assert (visit["derived"], visit["anchor"]["kind"]) == (False, "external")
    dates = {d["date_id"]: d for d in doc["dates"]}
    for inferred_year in ("dat-004-arrival", "dat-004-csp-anniversary"):
        assert dates[inferred_year]["derived"] is False, inferred_year
        assert dates[inferred_year]["relative"] is True, inferred_year
    assert dates["dat-004-csp-signing"]["derived"] is True  # 2023 - 15: arithmetic
