"""Regenerate tests/data/invalid/<case>/ from the small fixture dataset.

Each case is the small dataset with a few files replaced (the case folder mirrors the dataset
layout), a ``case.json`` with validation options, and ``expected.json``: the findings
``[file, pointer, code]`` the case must produce, written here by hand, not by the validator.
Run: .venv/bin/python tests/data/make_invalid_cases.py
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
SMALL = HERE / "small"
OUT = HERE / "invalid"
A1 = "seeds/annotations/900_00000000000000a1.json"
B2 = "seeds/annotations/900_00000000000000b2.json"
ACTORS = "seeds/actors.json"
CHROME = (SMALL / "seeds/articles/900_00000000000000a1.txt").read_text("utf-8").find("Back to top")


def load(rel: str) -> Any:
    return json.loads((SMALL / rel).read_text(encoding="utf-8"))


def dump(doc: Any) -> bytes:
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode()


def edit(rel: str, change: Callable[[Any], None]) -> dict[str, bytes]:
    doc = load(rel)
    change(doc)
    return {rel: dump(doc)}


def text_edit(rel: str, old: str, new: str) -> dict[str, bytes]:
    text = (SMALL / rel).read_text(encoding="utf-8")
    assert old in text, old
    return {rel: text.replace(old, new, 1).encode()}


def a1_shift(doc: Any) -> None:
    ev = doc["agreements"][0]["evidence"][0]
    ev["start"] += 1
    ev["end"] += 1


def rename_article(doc: Any) -> None:
    raw = json.dumps(doc).replace("900_00000000000000a1", "900_00000000000000ff")
    doc.clear()
    doc.update(json.loads(raw))


def deep(doc: Any) -> None:
    node: list[Any] = []
    doc["notes"] = node
    for _ in range(80):
        node.append([])
        node = node[0]


def duplicate_date(doc: Any) -> None:
    doc["dates"][1]["date_id"] = doc["dates"][0]["date_id"]


def reversed_interval(doc: Any) -> None:
    d = doc["dates"][0]
    d.update(value="2023-12-13/2023-12-12", earliest="2023-12-13", latest="2023-12-12")


def after_publication(doc: Any) -> None:
    d = doc["dates"][0]
    d.update(value="2023-12-14", earliest="2023-12-14", latest="2023-12-14")


def unmentioned(doc: Any) -> None:
    doc["actors"].append(
        {"actor_id": "act-japan", "kind": "state", "name": "Japan", "country": "JPN"}
    )


def set_path(rel: str, path: str, value: Any) -> dict[str, bytes]:
    def change(doc: Any) -> None:
        *parents, last = path.strip("/").split("/")
        node = doc
        for p in parents:
            node = node[int(p)] if isinstance(node, list) else node[p]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return edit(rel, change)


def a1_bytes() -> bytes:
    return (SMALL / A1).read_bytes()


A1_TEXT = (SMALL / "seeds/articles/900_00000000000000a1.txt").read_text("utf-8")


def span(quote: str) -> dict[str, Any]:
    """The evidence object of *quote*, which occurs once in a1's article."""
    start = A1_TEXT.index(quote)
    assert A1_TEXT.count(quote) == 1, quote
    return {
        "article_id": "900_00000000000000a1",
        "quote": quote,
        "start": start,
        "end": start + len(quote),
    }


def at_1_1_0(doc: Any) -> None:
    """a1 as a schema 1.1.0 document with a trigger on each agreement (what `toolkit migrate`
    writes, and the triggers an annotator then adds)."""
    doc["$schema"] = "../../schemas/1.1.0/annotation.schema.json"
    doc["schema_version"] = "1.1.0"
    triggers = {"agr-900-rail-pact": "signed", "agr-900-rare-earths": "No agreement was reached"}
    for agreement in doc["agreements"]:
        items = list(agreement.items())
        agreement.clear()
        for key, value in items:
            agreement[key] = value
            if key == "factuality":
                agreement["trigger"] = span(triggers[agreement["agreement_id"]])
    for date in doc["dates"]:
        if date.get("mod") == "ON_OR_BEFORE":
            date["earliest"] = None  # "by 2030": no first day


def edit_1_1_0(change: Callable[[Any], None]) -> dict[str, bytes]:
    """a1 at 1.1.0 (:func:`at_1_1_0`), then *change*."""

    def both(doc: Any) -> None:
        at_1_1_0(doc)
        change(doc)

    return edit(A1, both)


def set_key(pointer: str, value: Any) -> Callable[[Any], None]:
    def change(doc: Any) -> None:
        *parents, last = pointer.strip("/").split("/")
        node = doc
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[int(last) if isinstance(node, list) else last] = value

    return change


#: A correction of a1's "by 2030" (as if the text had a typo), its bounds open like the date's.
CORRECTION = {
    "value": "2031",
    "precision": "year",
    "earliest": None,
    "latest": "2031-12-31",
    "reason": "The same goal is stated for 2031 elsewhere.",
}


def corrected(correction: dict[str, Any]) -> Callable[[Any], None]:
    """Give a1's "by 2030" *correction* and the typo flag a correction requires."""

    def change(doc: Any) -> None:
        date = doc["dates"][1]
        date["correction"] = correction
        date["flags"] = [{"kind": "typo", "note": "The year is evidently wrong."}]

    return change


C3 = "seeds/annotations/900_00000000000000c3.json"
C3_TEXT = "Hanoi, 14 December 2023 — Ministers met again.\n".encode()


def scaffold() -> dict[str, bytes]:
    """A third article and the document `toolkit new` starts for it, unfilled: the
    placeholder title, an unknown publication though the text has a dateline, no records."""
    import hashlib

    doc = {
        "$schema": "../../schemas/1.1.0/annotation.schema.json",
        "schema_version": "1.1.0",
        "source": {
            "article_id": "900_00000000000000c3",
            "path": "seeds/articles/900_00000000000000c3.txt",
            "sha256": hashlib.sha256(C3_TEXT).hexdigest(),
            "title": {"text": "TODO: the title as in the text, or assigned", "assigned": True},
            "publisher": None,
            "publication": {
                "date": None,
                "precision": "unknown",
                "basis": "unknown",
                "earliest": None,
                "latest": None,
            },
            "language": "en",
            "offset_unit": "code_point",
            "content_span": {"start": 0, "end": len(C3_TEXT.decode())},
        },
        "provenance": {"annotators": ["fixture"], "annotated_on": "2026-12-04"},
        "actors": [],
        "agreements": [],
        "dates": [],
    }
    return {"seeds/articles/900_00000000000000c3.txt": C3_TEXT, C3: dump(doc)}


CASES: dict[str, tuple[dict[str, bytes | None], list[list[str]], dict[str, Any]]] = {
    "file-unreadable": (
        {"seeds/annotations/900_00000000000000c3.json/README": b"a folder, not a file\n"},
        [["seeds/annotations/900_00000000000000c3.json", "", "file-unreadable"]],
        {},
    ),
    "file-too-large": ({}, [[A1, "", "file-too-large"]], {"max_bytes": 4000}),
    "encoding-bom": ({A1: b"\xef\xbb\xbf" + a1_bytes()}, [[A1, "", "encoding-bom"]], {}),
    "encoding-utf16": (
        {A1: a1_bytes().decode().encode("utf-16")},
        [[A1, "", "encoding-invalid"]],
        {},
    ),
    "encoding-invalid": (
        {A1: a1_bytes().replace(b"Leaders", b"Lead\xffers", 1)},
        [[A1, "", "encoding-invalid"]],
        {},
    ),
    "json-truncated": ({A1: a1_bytes()[:2000]}, [[A1, "", "json-syntax"]], {}),
    "json-trailing-data": ({A1: a1_bytes() + b"{}\n"}, [[A1, "", "json-trailing-data"]], {}),
    "json-duplicate-key": (
        text_edit(A1, '"language": "en",', '"language": "en", "language": "fr",'),
        [[A1, "/source/language", "json-duplicate-key"]],
        {},
    ),
    "json-nonfinite-number": (
        text_edit(
            A1, '"content_span": {\n      "start": 0,', '"content_span": {\n      "start": NaN,'
        ),
        [[A1, "/source/content_span/start", "json-nonfinite-number"]],
        {},
    ),
    "json-number-out-of-range": (
        text_edit(
            A1,
            '"content_span": {\n      "start": 0,',
            '"content_span": {\n      "start": 123456789012345678901234567890,',
        ),
        [[A1, "/source/content_span/start", "json-number-out-of-range"]],
        {},
    ),
    "json-too-deep": (edit(A1, deep), [[A1, "", "json-too-deep"]], {}),
    "json-lone-surrogate": (
        text_edit(
            A1, '"schema_version": "1.0.0",', '"schema_version": "1.0.0", "notes": "\\ud800",'
        ),
        [[A1, "/notes", "json-lone-surrogate"]],
        {},
    ),
    "document-not-object": ({A1: b"[]\n"}, [[A1, "", "document-not-object"]], {}),
    "schema-version-unknown": (
        set_path(A1, "/schema_version", "9.9.9"),
        [[A1, "/schema_version", "schema-version-unknown"]],
        {},
    ),
    "schema-pointer-mismatch": (
        set_path(A1, "/$schema", "https://example.com/evil.json"),
        [[A1, "/$schema", "schema-pointer-mismatch"]],
        {},
    ),
    "schema-violation": (
        set_path(A1, "/agreements/0/status", "sealed"),
        [[A1, "/agreements/0/status", "schema-violation"]],
        {},
    ),
    "source-path-invalid": (
        set_path(A1, "/source/path", "seeds/articles/900_00000000000000b2.txt"),
        [[A1, "/source/path", "source-path-invalid"]],
        {},
    ),
    "source-missing": (
        {A1: None, "seeds/annotations/900_00000000000000ff.json": edit(A1, rename_article)[A1]},
        [["seeds/annotations/900_00000000000000ff.json", "/source/article_id", "source-missing"]],
        {},
    ),
    "source-hash-mismatch": (
        set_path(A1, "/source/sha256", "0" * 64),
        [[A1, "/source/sha256", "source-hash-mismatch"]],
        {},
    ),
    "span-out-of-bounds": (
        set_path(A1, "/source/content_span/end", 99999),
        [[A1, "/source/content_span", "span-out-of-bounds"]],
        {},
    ),
    "evidence-wrong-article": (
        set_path(A1, "/agreements/0/evidence/0/article_id", "900_00000000000000b2"),
        [[A1, "/agreements/0/evidence/0/article_id", "evidence-wrong-article"]],
        {},
    ),
    "evidence-quote-mismatch": (
        edit(A1, a1_shift),
        [[A1, "/agreements/0/evidence/0/quote", "evidence-quote-mismatch"]],
        {},
    ),
    "evidence-context-mismatch": (
        set_path(A1, "/agreements/0/evidence/0/prefix", "xyz"),
        [[A1, "/agreements/0/evidence/0/prefix", "evidence-context-mismatch"]],
        {},
    ),
    "evidence-in-chrome": (
        set_path(
            A1,
            "/agreements/0/evidence/0",
            {
                "article_id": "900_00000000000000a1",
                "quote": "Back to top",
                "start": CHROME,
                "end": CHROME + len("Back to top"),
            },
        ),
        [[A1, "/agreements/0/evidence/0", "evidence-in-chrome"]],
        {},
    ),
    "date-value-invalid": (
        set_path(A1, "/dates/0/value", "2023-02-30"),
        [[A1, "/dates/0/value", "date-value-invalid"]],
        {},
    ),
    "country-code-invalid": (
        set_path(ACTORS, "/actors/0/country", "XXX"),
        [[ACTORS, "/actors/0/country", "country-code-invalid"]],
        {},
    ),
    "id-duplicate": (
        edit(A1, duplicate_date),
        [
            [A1, "/dates/0/date_id", "id-duplicate"],
            [A1, "/agreements/0/dates/1/date_id", "reference-unresolved"],
            [A1, "/dates/1/date_id", "id-duplicate"],
        ],
        {},
    ),
    "reference-unresolved": (
        set_path(A1, "/agreements/0/parties/0/actor_id", "act-nobody"),
        [[A1, "/agreements/0/parties/0/actor_id", "reference-unresolved"]],
        {},
    ),
    "date-interval-reversed": (
        edit(A1, reversed_interval),
        [
            [A1, "/dates/0/earliest", "date-interval-reversed"],
            [A1, "/dates/0/value", "date-interval-reversed"],
        ],
        {},
    ),
    "date-bounds-precision": (
        set_path(A1, "/dates/0/precision", "month"),
        [[A1, "/dates/0/precision", "date-bounds-precision"]],
        {},
    ),
    "date-after-publication": (
        edit(A1, after_publication),
        [[A1, "/dates/0/role", "date-after-publication"]],
        {},
    ),
    "signed-without-parties": (
        edit(A1, lambda d: d["agreements"][0]["parties"].pop()),
        [[A1, "/agreements/0/parties", "signed-without-parties"]],
        {},
    ),
    "canonical-key-inconsistent": (
        set_path(A1, "/agreements/1/canonical_key", "cn-vn-2023-rail-link-pacts"),
        [
            [A1, "/agreements/0/canonical_key", "canonical-key-inconsistent"],
            [A1, "/agreements/1/canonical_key", "canonical-key-inconsistent"],
        ],
        {},
    ),
    "actor-unmentioned": (
        edit(ACTORS, unmentioned),
        [[ACTORS, "/actors/4", "actor-unmentioned"]],
        {},
    ),
    "status-exceeds-trigger": (
        edit_1_1_0(set_key("/agreements/0/trigger", span("aim to"))),
        [
            [A1, "/agreements/0/factuality", "status-exceeds-trigger"],
            [A1, "/agreements/0/status", "status-exceeds-trigger"],
        ],
        {},
    ),
    "trigger-missing": (
        edit_1_1_0(lambda d: d["agreements"][1].pop("trigger")),
        [[A1, "/agreements/1", "trigger-missing"]],
        {},
    ),
    "trigger-cue-unknown": (
        edit_1_1_0(set_key("/agreements/0/trigger", span("a pact on rail links"))),
        [[A1, "/agreements/0/trigger/quote", "trigger-cue-unknown"]],
        {},
    ),
    "trigger-quote-mismatch": (
        edit_1_1_0(set_key("/agreements/0/trigger/start", span("signed")["start"] + 1)),
        [[A1, "/agreements/0/trigger/quote", "evidence-quote-mismatch"]],
        {},
    ),
    "relation-invalid": (
        edit_1_1_0(
            set_key(
                "/agreements/0/relations",
                [{"relation": "part_of", "canonical_key": "cn-vn-2023-rail-link-pacts"}],
            )
        ),
        [[A1, "/agreements/0/relations/0/canonical_key", "relation-invalid"]],
        {},
    ),
    "relation-unresolved": (
        edit_1_1_0(
            set_key(
                "/agreements/0/relations",
                [{"relation": "part_of", "canonical_key": "cn-vn-2023-no-such-package"}],
            )
        ),
        [[A1, "/agreements/0/relations/0/canonical_key", "reference-unresolved"]],
        {},
    ),
    "flag-related-unresolved": (
        set_path(
            A1,
            "/agreements/0/flags",
            [{"kind": "conflict", "note": "Another count.", "related": ["agr-900-nothing"]}],
        ),
        [[A1, "/agreements/0/flags/0/related/0", "reference-unresolved"]],
        {},
    ),
    "correction-without-typo-flag": (
        edit_1_1_0(set_key("/dates/1/correction", CORRECTION)),
        [[A1, "/dates/1", "schema-violation"]],
        {},
    ),
    "correction-bounds": (
        edit_1_1_0(corrected({**CORRECTION, "earliest": "2031-01-01"})),
        [[A1, "/dates/1/correction/earliest", "date-bounds-precision"]],
        {},
    ),
    "name-not-in-evidence": (
        edit(A1, lambda d: d["actors"][0]["names_as_written"].append("President Xi")),
        [[A1, "/actors/0/names_as_written/1", "name-not-in-evidence"]],
        {},
    ),
    "annotation-unfilled": (
        scaffold(),
        [
            [C3, "", "annotation-unfilled"],
            [C3, "/source/publication/basis", "annotation-unfilled"],
            [C3, "/source/title/text", "annotation-unfilled"],
        ],
        {},
    ),
    "mod-bounds": (
        edit_1_1_0(set_key("/dates/1/earliest", "2030-01-01")),
        [[A1, "/dates/1/earliest", "date-bounds-precision"]],
        {},
    ),
}


def main() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    for name, (files, expected, options) in CASES.items():
        case = OUT / name
        case.mkdir(parents=True)
        for rel, data in files.items():
            target = case / rel
            if data is None:
                target = case / (rel + ".delete")
                data = b""
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (case / "case.json").write_text(json.dumps(options, indent=2) + "\n")
        (case / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")


if __name__ == "__main__":
    main()
