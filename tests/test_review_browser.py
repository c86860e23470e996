"""The review site in a real browser: the system Chromium (tests/browser.py) loads the built
pages from file://. Selecting a record highlights exactly its quotes, also after characters
outside the Basic Multilingual Plane; findings appear at their spans; the keyboard works;
hostile text stays text. Skipped, with the reason, where the browser cannot run, except
under CI (CI=true), where that fails."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import browser_problem, chromium
from conftest import REPO
from review_data import BROKEN_ID, HOSTILE_ID, HOSTILE_QUOTE, add_hostile_article, break_document
from toolkit.dataset import read_article
from toolkit.review.site import build_review

#: For each record of the page: select it as a click does, then, for each of its spans,
#: the text of the passages drawn for it, the text the UTF-16 offsets slice, the quote, and
#: whether every passage of it is highlighted.
SPANS_OF_EACH_RECORD = """() => {
  const out = [];
  review.data.records.forEach((rec, i) => {
    document.getElementById("rec-" + i).click();
    rec.spans.forEach((id) => {
      const span = review.data.spans[id];
      if (!span.u16) { return; }
      const segs = [...document.querySelectorAll("#text .seg")]
        .filter((el) => el.dataset.s.split(" ").includes(String(id)));
      out.push({
        record: i, pointer: span.pointer, quote: span.quote,
        drawn: segs.map((el) => el.textContent).join(""),
        sliced: review.spanText(id),
        highlighted: segs.length > 0 && segs.every((el) => el.classList.contains("sel")),
        selected: document.getElementById("rec-" + i).getAttribute("aria-selected"),
      });
    });
  });
  return out;
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    problem = browser_problem()
    if problem is None:
        stack = contextlib.ExitStack()
        try:
            context = stack.enter_context(chromium())
        except Exception as exc:  # the browser is there but does not start
            problem = f"chromium did not start: {type(exc).__name__}: {exc}"
        else:
            with stack:
                yield context
            return
    if os.environ.get("CI") == "true":
        pytest.fail(f"the browser tests must run under CI: {problem}")
    pytest.skip(problem)


@pytest.fixture(scope="module")
def seeds_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build_review(REPO, out)
    return out


def _open(browser: Any, page_path: Path) -> Any:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
    page.on("request", lambda r: r.url.startswith("file://") or errors.append(f"fetch {r.url}"))
    page.goto(page_path.as_uri())
    page.errors = errors
    return page


def test_selecting_each_record_highlights_exactly_its_quotes(
    browser: Any, seeds_site: Path
) -> None:
    for article in sorted((seeds_site / "articles").glob("*.html")):
        page = _open(browser, article)
        spans = page.evaluate(SPANS_OF_EACH_RECORD)
        assert spans, article.name
        for s in spans:
            assert s["drawn"] == s["sliced"] == s["quote"], (article.name, s)
            assert s["highlighted"] and s["selected"] == "true", (article.name, s)
        assert page.errors == [], page.errors
        page.close()


def test_a_click_on_a_passage_lists_its_records(browser: Any, seeds_site: Path) -> None:
    page = _open(browser, seeds_site / "articles" / "003_ca5597f59c992008.html")
    data = page.evaluate("review.data")
    first = next(i for i, s in enumerate(data["spans"]) if s["kind"] == "agreement")
    seg = page.locator(f'#text .seg[data-s~="{first}"]').first
    seg.click()
    listed = page.locator("#span-info .span-records button").all_text_contents()
    record = data["records"][data["spans"][first]["record"]]
    assert any(record["id"] in text for text in listed), listed
    page.locator("#span-info .span-records button", has_text=record["id"]).first.click()
    selected = page.locator('#records [aria-selected="true"]')
    assert selected.count() == 1 and record["id"] in selected.inner_text()


def test_the_keyboard_moves_between_records_and_passages(browser: Any, seeds_site: Path) -> None:
    page = _open(browser, seeds_site / "articles" / "004_10177aab37503ad3.html")
    page.focus("#rec-0")
    page.keyboard.press("Enter")
    assert page.get_attribute("#rec-0", "aria-selected") == "true"
    page.keyboard.press("j")
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#rec-2", "aria-selected") == "true"
    assert page.evaluate("document.activeElement.id") == "rec-2"
    page.keyboard.press("k")
    assert page.get_attribute("#rec-1", "aria-selected") == "true"
    assert page.get_attribute("#rec-1", "tabindex") == "0"
    page.locator("#text .seg").first.focus()
    page.keyboard.press("n")
    second = page.locator("#text .seg").nth(1)
    assert second.evaluate("el => el === document.activeElement")
    page.keyboard.press(" ")
    assert page.locator("#span-info .span-records li").count() >= 1
    assert page.locator("#records[role=listbox] [role=option]").count() > 10


def test_findings_appear_at_their_spans_and_triggers_are_drawn(
    browser: Any, tmp_path: Path
) -> None:
    root = tmp_path / "data"
    shutil.copytree(REPO / "seeds", root / "seeds")
    agreement = break_document(root)
    site = build_review(root, tmp_path / "site", articles=[BROKEN_ID])
    assert not site.report.valid
    page = _open(browser, tmp_path / "site" / "articles" / f"{BROKEN_ID}.html")
    item = page.locator(".finding", has_text="evidence-quote-mismatch")
    assert item.count() == 1
    span = int(item.get_attribute("data-span"))
    item.click()
    marked = page.locator(f'#text .seg[data-s~="{span}"]')
    assert marked.count() >= 1
    assert all("has-finding" in c for c in marked.evaluate_all("els => els.map(e => e.className)"))
    assert "evidence-quote-mismatch" in (marked.first.get_attribute("data-codes") or "")
    assert all("focus-span" in c for c in marked.evaluate_all("els => els.map(e => e.className)"))
    shown = page.evaluate(f"review.spanText({span})")
    assert (
        shown == page.evaluate(f"review.data.spans[{span}].quote")[1:] + shown[-1]
    )  # moved by one
    trigger = page.locator("#text .seg.k-trigger")
    assert "".join(trigger.all_text_contents()) == _triggers_in_text_order(root, BROKEN_ID)
    index = page.evaluate("review.data.spans.findIndex(s => s.pointer === '/agreements/0/trigger')")
    page.locator(f'#text .seg.k-trigger[data-s~="{index}"]').first.click()
    assert page.locator("#span-info .span-records button.k-trigger").count() >= 1
    assert agreement["trigger"]["quote"] in page.locator("#span-info").inner_text()
    assert page.errors == [], page.errors


def _triggers_in_text_order(root: Path, article_id: str) -> str:
    """The text the triggers of *article_id* cover, each stretch once, in text order."""
    doc = json.loads((root / "seeds" / "annotations" / f"{article_id}.json").read_text("utf-8"))
    text = (root / "seeds" / "articles" / f"{article_id}.txt").read_text("utf-8")
    covered: list[list[int]] = []
    for start, end in sorted(
        (a["trigger"]["start"], a["trigger"]["end"]) for a in doc["agreements"]
    ):
        if covered and start <= covered[-1][1]:
            covered[-1][1] = max(covered[-1][1], end)
        else:
            covered.append([start, end])
    return "".join(text[a:b] for a, b in covered)


def test_astral_characters_before_the_spans_and_hostile_quotes(
    browser: Any, tmp_path: Path
) -> None:
    root = tmp_path / "data"
    shutil.copytree(REPO / "seeds", root / "seeds")
    add_hostile_article(root)
    build_review(root, tmp_path / "site", articles=[HOSTILE_ID])
    page = _open(browser, tmp_path / "site" / "articles" / f"{HOSTILE_ID}.html")
    spans = page.evaluate(SPANS_OF_EACH_RECORD)
    assert HOSTILE_QUOTE in [s["quote"] for s in spans]
    for s in spans:
        assert s["drawn"] == s["sliced"] == s["quote"], s
    assert page.locator("img").count() == 0 and page.errors == []
    text = read_article(root / "seeds" / "articles" / f"{HOSTILE_ID}.txt")
    assert "\r" in text
    assert page.evaluate("document.getElementById('text').textContent") == text


def test_the_canonical_page_and_the_index(browser: Any, seeds_site: Path) -> None:
    page = _open(browser, seeds_site / "canonical.html")
    conflicts = page.locator("section.canon.conflict")
    assert conflicts.count() >= 1
    assert conflicts.first.locator(".badge.conflict").inner_text().startswith("status conflict")
    link = conflicts.first.locator(".report h3 a").first
    link.click()
    page.wait_for_load_state()
    assert page.url.split("#")[0].endswith(".html") and "/articles/" in page.url
    assert page.locator('#records [aria-selected="true"]').count() == 1
    index = _open(browser, seeds_site / "index.html")
    assert index.locator("tbody tr").count() == 5
    assert index.errors == [] and page.errors == []
