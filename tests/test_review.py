"""The review site (toolkit review): built from the seeds and from documents that fail
validation or do not parse, with hostile and astral text, for a git ref's changes; the
1,000-article build streams its pages. The browser tests are in test_review_browser.py."""

from __future__ import annotations

import json
import re
import shutil
import tracemalloc
from pathlib import Path

import pytest

from conftest import REPO
from review_data import (
    BROKEN_ID,
    HOSTILE_ID,
    HOSTILE_QUOTE,
    TRIGGER_QUOTE,
    add_hostile_article,
    break_document,
    git,
)
from toolkit.check.run import validate_dataset
from toolkit.dataset import Dataset, read_article
from toolkit.review.model import article_view
from toolkit.review.site import build_review

ISLAND = re.compile(r'<script type="application/json" id="review-data">(.*?)</script>', re.S)


def _island(page: Path) -> dict:  # type: ignore[type-arg]
    found = ISLAND.findall(page.read_text("utf-8"))
    assert len(found) == 1
    return json.loads(found[0])  # type: ignore[no-any-return]


def test_the_seeds_review_has_a_page_per_article_an_index_and_the_canonical_page(
    tmp_path: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("review", "--root", str(REPO), "--out", str(tmp_path / "site"))
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"
    ids = Dataset.at(REPO).article_ids()
    assert sorted(p.stem for p in (site / "articles").glob("*.html")) == ids
    assert {p.name for p in (site / "static").iterdir()} == {"review.css", "review.js"}
    index = (site / "index.html").read_text("utf-8")
    assert all(f"articles/{i}.html" in index for i in ids)
    assert "canonical.html" in index
    for page in (site / "articles").glob("*.html"):
        html = page.read_text("utf-8")
        assert "http://" not in html and "https://" not in html  # nothing from the network
        data = _island(page)
        text = read_article(REPO / "seeds" / "articles" / f"{page.stem}.txt")
        units = text.encode("utf-16-le")
        for span in data["spans"]:
            assert span["u16"], span  # every seed span is placed
            s, e = span["u16"]
            assert units[2 * s : 2 * e].decode("utf-16-le") == span["quote"]


def test_the_canonical_page_marks_status_conflicts(tmp_path: Path) -> None:
    site = build_review(REPO, tmp_path)
    html = (tmp_path / "canonical.html").read_text("utf-8")
    assert html.count('<section class="canon conflict"') == site.status_conflicts > 0
    assert html.count('<section class="canon') == site.canonical_keys
    assert "cn-vn-2023-security-cooperation" in html


def test_hostile_text_is_escaped_and_astral_offsets_become_utf16(tmp_path: Path) -> None:
    root = tmp_path / "data"
    shutil.copytree(REPO / "seeds", root / "seeds")
    add_hostile_article(root)
    site = build_review(root, tmp_path / "site", articles=[HOSTILE_ID])
    assert site.report.valid, site.report.findings
    assert site.articles == (HOSTILE_ID,)
    page = tmp_path / "site" / "articles" / f"{HOSTILE_ID}.html"
    html = page.read_text("utf-8")
    assert "<img" not in html and html.count("</script>") == 2  # the island's and the script's
    assert "&#13;" in html  # a carriage return the HTML parser would turn into a line feed
    [span] = [s for s in _island(page)["spans"] if s["kind"] == "agreement"]
    assert span["quote"] == HOSTILE_QUOTE
    text = read_article(root / "seeds" / "articles" / f"{HOSTILE_ID}.txt")
    start = text.index(HOSTILE_QUOTE)
    assert span["u16"] == [start + 2, start + 2 + len(HOSTILE_QUOTE)]  # two astral characters


def test_documents_that_fail_validation_or_do_not_parse_are_shown_with_findings(
    tmp_path: Path, seeds_copy: Path, run_cli
) -> None:  # type: ignore[no-untyped-def]
    break_document(seeds_copy)
    unparsable = seeds_copy / "seeds" / "annotations" / "000_c9643dd3023e532a.json"
    unparsable.write_text('{"agreements": [', "utf-8")
    out = tmp_path / "site"
    result = run_cli("review", "--root", str(seeds_copy), "--out", str(out))
    assert result.exit_code == 1, result.output
    data = _island(out / "articles" / f"{BROKEN_ID}.html")
    [trigger] = [s for s in data["spans"] if s["pointer"] == "/agreements/0/trigger"]
    assert trigger["quote"] == TRIGGER_QUOTE and trigger["kind"] == "trigger"
    codes = {f["code"] for f in data["findings"]}
    assert {"schema-violation", "evidence-quote-mismatch"} <= codes
    mismatch = next(f for f in data["findings"] if f["code"] == "evidence-quote-mismatch")
    assert data["spans"][mismatch["span"]]["pointer"] == "/agreements/1/evidence/0"
    html = (out / "articles" / f"{BROKEN_ID}.html").read_text("utf-8")
    assert "merged_into → cn-vn-2023-cooperation-pacts" in html
    other = (out / "articles" / "000_c9643dd3023e532a.html").read_text("utf-8")
    assert "json-syntax" in other and 'class="text"' in other


def test_unknown_fields_and_odd_values_are_listed_not_fatal() -> None:
    doc = {
        "agreements": [
            {"agreement_id": 7, "status": ["x"], "evidence": [{"start": "a", "end": None}]},
            "not a record",
        ],
        "dates": [
            {
                "date_id": "d",
                "value": "2023",
                "earliest": None,
                "latest": None,
                "correction": {"value": "2024", "precision": "year", "reason": "typo"},
                "surprise": {"a": 1},
            }
        ],
        "actors": {"not": "a list"},
    }
    view = article_view("900_0000000000000000", "text", doc, [])
    fields = dict(view.records[1].fields)
    assert fields["bounds"] == "unbounded – unbounded"
    assert fields["corrected"].startswith("2024 (year)") and fields["surprise"] == '{"a": 1}'
    assert not any(s.placed for s in view.spans)


def test_changed_since_builds_only_the_changed_articles(
    tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    clone = tmp_path / "clone"
    git(REPO, "clone", "-q", "--depth", "1", f"file://{REPO}", str(clone))
    break_document(clone)
    site = build_review(clone, tmp_path / "site", changed_since="HEAD")
    assert site.articles == (BROKEN_ID,)
    assert [p.stem for p in (tmp_path / "site" / "articles").glob("*.html")] == [BROKEN_ID]
    monkeypatch.chdir(clone)  # the default --root, relative
    here = run_cli("review", "--changed-since", "HEAD", "--out", str(tmp_path / "here"))
    assert here.exit_code == 1 and "the review of 1 article(s)" in here.output
    bad = run_cli("review", "--root", str(clone), "--changed-since", "--upload-pack=x")
    assert bad.exit_code == 2 and "not a git ref" in bad.output
    unknown = run_cli("review", "999_0000000000000000", "--root", str(clone), "--out", "x")
    assert unknown.exit_code == 2 and "no article" in unknown.output


@pytest.mark.slow
def test_a_1000_article_corpus_builds_with_bounded_memory(tmp_path: Path) -> None:
    from bench.generate import generate

    summary = generate(30_000, 3, tmp_path / "corpus")
    assert summary["articles"] >= 1000
    tracemalloc.start()
    try:
        validate_dataset(tmp_path / "corpus")  # imports what the build needs, then
        held, _ = tracemalloc.get_traced_memory()  # what stays allocated after validating
        tracemalloc.reset_peak()
        site = build_review(tmp_path / "corpus", tmp_path / "site")
        _, building = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    pages = list((tmp_path / "site" / "articles").glob("*.html"))
    assert len(pages) == len(site.articles) == summary["articles"]
    written = sum(p.stat().st_size for p in pages)
    print(f"peak {(building - held) / 2**20:.1f} MiB building; {written / 2**20:.1f} MiB of pages")
    # pages are written one at a time and dropped: the build holds the findings and the
    # agreements' summaries for the canonical page, far less than the pages together
    assert building - held < written / 2, (building, held, written)
