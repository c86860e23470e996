"""Checks beyond JSON Schema on one document: sources, evidence, dates, codes.

Each rule is a small generator ``rule(ctx) -> Iterator[Finding]``, in the manner of
jsonschema's keyword functions, registered with the codes it emits by :func:`document_rule`
(in ``DOCUMENT_RULES``) or :func:`registry_rule` (in ``REGISTRY_RULES``); a rule that emits a
code it did not declare is a bug, and raises. Rules run on documents that passed their
schema, so the shapes they read are guaranteed.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, Generic, TypeVar

from toolkit.check.strict_json import MAX_BYTES, Loaded, byte_position
from toolkit.dataset import Dataset, article_name
from toolkit.findings import RULE_CODES, Finding, RuleCode, Severity, declare
from toolkit.lexicon import TriggerLexicon
from toolkit.registry import version_key
from toolkit.regular_file import FileTooLarge, NotRegularFile
from toolkit.text import line_column

#: The codes of the evidence layer: what a document's rules find against its article (and
#: the actor registry's rule).
EVIDENCE_CODES = declare(
    RuleCode(
        "source-path-invalid",
        "evidence",
        "source.path does not name this article's file",
        "Set source.path to seeds/articles/<article_id>.txt and name the file <article_id>.json.",
    ),
    RuleCode(
        "source-missing",
        "evidence",
        "The cited article text does not exist",
        "Add the article to seeds/articles/ or correct source.article_id.",
    ),
    RuleCode(
        "source-hash-mismatch",
        "evidence",
        "source.sha256 does not match the article file",
        "The article text must be byte-identical to the seed; recompute with `toolkit new`.",
    ),
    RuleCode(
        "span-out-of-bounds",
        "evidence",
        "A span is empty, reversed or outside the text",
        "Offsets satisfy 0 <= start < end <= length of the article (code points).",
    ),
    RuleCode(
        "evidence-wrong-article",
        "evidence",
        "Evidence cites another article than the document's",
        "Evidence quotes the document's own article; set article_id accordingly.",
    ),
    RuleCode(
        "evidence-quote-mismatch",
        "evidence",
        "The quote is not the text at its offsets",
        'Use `toolkit locate ARTICLE "quote"` to get the offsets; quotes are taken exactly.',
    ),
    RuleCode(
        "evidence-context-mismatch",
        "evidence",
        "prefix or suffix is not the text around the quote",
        "Copy prefix/suffix from the text just before/after the quote, or drop them.",
    ),
    RuleCode(
        "evidence-in-chrome",
        "evidence",
        "Evidence lies outside the article's content",
        "Quote the article body, not site chrome (navigation, bios, 'See also' links).",
    ),
    RuleCode(
        "date-value-invalid",
        "evidence",
        "The date value is not a valid EDTF date",
        "Write YYYY, YYYY-MM, YYYY-MM-DD or an interval A/B of real calendar dates.",
    ),
    RuleCode(
        "country-code-invalid",
        "evidence",
        "The country is not an ISO 3166-1 alpha-3 code",
        "Use the alpha-3 code (CHN, VNM, USA...).",
    ),
    RuleCode(
        "name-not-in-evidence",
        "evidence",
        "A name or title as written is in none of the quotes that back it",
        "Write the name exactly as one of the record's quotes has it, or quote the passage "
        "where it stands.",
    ),
    RuleCode(
        "annotation-unfilled",
        "evidence",
        "The document still holds what `toolkit new` left to fill",
        "Fill in what the message names (the title, the publication, the records), or state "
        "no_records with its reason for an article with nothing to annotate.",
    ),
    RuleCode(
        "status-exceeds-trigger",
        "evidence",
        "The status or factuality is stronger than the trigger's words allow",
        "Lower the status to one the trigger's cue allows, or quote as the trigger the words "
        "that carry the status (the lexicon: schemas/<version>/triggers.json).",
    ),
    RuleCode(
        "trigger-missing",
        "evidence",
        "An agreement has no trigger",
        "Add a trigger: the exact words that carry the status ('signed', 'agreed to', "
        "'are expected to'), with offsets from `toolkit locate`.",
        Severity.WARNING,
    ),
    RuleCode(
        "trigger-cue-unknown",
        "evidence",
        "A trigger holds no cue of the trigger lexicon",
        "Quote the words that carry the status; if the lexicon lacks them, propose the cue in "
        "schemas/<version>/triggers.json.",
        Severity.WARNING,
    ),
)

Subject = TypeVar("Subject")


@dataclass(frozen=True)
class DocumentRule(Generic[Subject]):
    """A check of one document and the codes it may emit."""

    check: Callable[[Subject], Iterator[Finding]]
    codes: tuple[str, ...]

    def __call__(self, subject: Subject) -> list[Finding]:
        """The findings of the check on *subject*.

        :raises ValueError: when the check emits a code it does not declare.
        """
        found = list(self.check(subject))
        for finding in found:
            if finding.code not in self.codes:
                name = getattr(self.check, "__name__", "a rule")
                raise ValueError(f"{name} emitted {finding.code}, which it does not declare")
        return found


def _declared(codes: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [c for c in codes if c not in RULE_CODES]
    if unknown:
        raise ValueError(f"undeclared rule codes {unknown}")
    return codes


#: Largest article read (bytes): news articles are a few kilobytes; a larger file is
#: reported as no article rather than read.
MAX_ARTICLE_BYTES = MAX_BYTES


@dataclass
class DocumentContext:
    """One annotation document with what its rules need: the dataset and its article text."""

    loaded: Loaded
    dataset: Dataset
    #: the trigger lexicon of the document's schema version (None: the version has none)
    lexicon: TriggerLexicon | None = None

    @property
    def doc(self) -> dict[str, Any]:
        return self.loaded.document  # type: ignore[no-any-return]

    @property
    def article_id(self) -> str:
        return str(self.doc["source"]["article_id"])

    @cached_property
    def article_read(self) -> tuple[bytes | None, str]:
        """The article's bytes and ""; or None and why it could not be read: it is absent,
        a link, not a regular file, or larger than :data:`MAX_ARTICLE_BYTES`."""
        name = article_name(self.article_id)
        try:
            return self.dataset.read_bytes(name, MAX_ARTICLE_BYTES), ""
        except (NotRegularFile, FileTooLarge) as exc:
            return None, str(exc)
        except OSError as exc:
            return None, "" if exc.errno == errno.ENOENT else exc.strerror or str(exc)

    @property
    def article_bytes(self) -> bytes | None:
        """The article's bytes; None when it is absent, a link, not a regular file or too
        large."""
        return self.article_read[0]

    @cached_property
    def article_sha256(self) -> str | None:
        """SHA-256 of the article's bytes (None when there is no readable article)."""
        if self.article_bytes is None:
            return None
        return hashlib.sha256(self.article_bytes).hexdigest()

    @cached_property
    def text(self) -> str | None:
        """The article's text exactly as stored (newlines untouched, so offsets are code
        points); None when there is no article or it is not UTF-8."""
        if self.article_bytes is None:
            return None
        try:
            return self.article_bytes.decode("utf-8")
        except UnicodeDecodeError:
            return None

    @cached_property
    def evidence(self) -> list[tuple[str, dict[str, Any]]]:
        """Every evidence object with its pointer (:func:`iter_evidence`), kept on the loaded
        file too, for its table rows."""
        self.loaded.evidence = iter_evidence(self.doc)
        return self.loaded.evidence

    def finding(self, code: str, message: str, pointer: str, hint: str | None = None) -> Finding:
        return self.loaded.finding(code, message, pointer, hint=hint)


#: Where the schemas put evidence lists: (section, nested list holding evidence or None).
_EVIDENCE_SECTIONS = (("actors", "roles"), ("agreements", "counts"), ("dates", None))


def iter_evidence(doc: Any) -> list[tuple[str, dict[str, Any]]]:
    """Every evidence object of a schema-valid annotation document with its pointer, in
    document order (an agreement's trigger first, a date's correction last). Records set
    aside as schema-invalid (None) are skipped. (A list built
    with plain loops: every file's evidence goes through it twice.)"""
    found: list[tuple[str, dict[str, Any]]] = []
    source = doc.get("source") or {}
    for part in ("title", "publisher", "publication"):
        holder = source.get(part)
        if isinstance(holder, dict):
            _evidence_list(found, holder, f"/source/{part}")
    for section, nested in _EVIDENCE_SECTIONS:
        for i, record in enumerate(doc.get(section) or ()):
            if not isinstance(record, dict):
                continue
            base = f"/{section}/{i}"
            trigger = record.get("trigger")
            if trigger is not None:
                found.append((f"{base}/trigger", trigger))
            if nested is not None:
                for j, inner in enumerate(record.get(nested) or ()):
                    _evidence_list(found, inner, f"{base}/{nested}/{j}")
            _evidence_list(found, record, base)
            correction = record.get("correction")
            if correction is not None:
                _evidence_list(found, correction, f"{base}/correction")
    return found


def _evidence_list(
    found: list[tuple[str, dict[str, Any]]], holder: dict[str, Any], base: str
) -> None:
    evidence = holder.get("evidence")
    if evidence:
        found.extend((f"{base}/evidence/{k}", ev) for k, ev in enumerate(evidence))


#: The rules of one annotation document, in the order they run.
DOCUMENT_RULES: list[DocumentRule[DocumentContext]] = []
#: The rules of the actor registry.
REGISTRY_RULES: list[DocumentRule[Loaded]] = []


def document_rule(
    *codes: str,
) -> Callable[[Callable[[DocumentContext], Iterator[Finding]]], DocumentRule[DocumentContext]]:
    """Register a rule of one annotation document that emits *codes* (declared codes)."""

    def register(
        check: Callable[[DocumentContext], Iterator[Finding]],
    ) -> DocumentRule[DocumentContext]:
        rule = DocumentRule(check, _declared(codes))
        DOCUMENT_RULES.append(rule)
        return rule

    return register


def registry_rule(
    *codes: str,
) -> Callable[[Callable[[Loaded], Iterator[Finding]]], DocumentRule[Loaded]]:
    """Register a rule of the actor registry that emits *codes* (declared codes)."""

    def register(check: Callable[[Loaded], Iterator[Finding]]) -> DocumentRule[Loaded]:
        rule = DocumentRule(check, _declared(codes))
        REGISTRY_RULES.append(rule)
        return rule

    return register


@document_rule("source-path-invalid")
def check_source_path(ctx: DocumentContext) -> Iterator[Finding]:
    src = ctx.doc["source"]
    expected = f"seeds/articles/{ctx.article_id}.txt"
    if src["path"] != expected:
        yield ctx.finding(
            "source-path-invalid", f"path is {src['path']!r}, expected {expected!r}", "/source/path"
        )
    stem = ctx.loaded.file.rsplit("/", 1)[-1].removesuffix(".json")
    if stem != ctx.article_id:
        yield ctx.finding(
            "source-path-invalid",
            f"the file is named {stem}.json but annotates "
            f"{ctx.article_id}; name it {ctx.article_id}.json",
            "/source/article_id",
        )


@document_rule("source-missing", "source-hash-mismatch", "encoding-invalid")
def check_source_text(ctx: DocumentContext) -> Iterator[Finding]:
    data, why = ctx.article_read
    if data is None:
        yield ctx.finding(
            "source-missing",
            f"no article seeds/articles/{ctx.article_id}.txt" + (f": {why}" if why else ""),
            "/source/article_id",
        )
        return
    actual = ctx.article_sha256
    if ctx.doc["source"]["sha256"] != actual:
        yield ctx.finding(
            "source-hash-mismatch", f"the article's SHA-256 is {actual}", "/source/sha256"
        )
    if ctx.text is None:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line, column = byte_position(data, exc.start)
            yield ctx.finding(
                "encoding-invalid",
                f"the article seeds/articles/{ctx.article_id}.txt is not UTF-8: byte "
                f"0x{data[exc.start]:02x} at line {line}, column {column}; restore its bytes "
                "from the source (no span in this file can be checked until then)",
                "/source/article_id",
            )


@document_rule("span-out-of-bounds")
def check_spans(ctx: DocumentContext) -> Iterator[Finding]:
    if ctx.text is None:
        return
    src = ctx.doc["source"]
    spans = [("/source/content_span", src["content_span"])] + [
        (f"/source/excluded_spans/{i}", s) for i, s in enumerate(src.get("excluded_spans", []))
    ]
    for pointer, span in spans:
        if not 0 <= span["start"] < span["end"] <= len(ctx.text):
            yield ctx.finding(
                "span-out-of-bounds",
                f"span {span['start']}-{span['end']} is not within the text (0-{len(ctx.text)})",
                pointer,
            )


@document_rule(
    "evidence-wrong-article",
    "span-out-of-bounds",
    "evidence-quote-mismatch",
    "evidence-context-mismatch",
    "evidence-in-chrome",
)
def check_evidence(ctx: DocumentContext) -> Iterator[Finding]:
    text = ctx.text
    source = ctx.doc["source"]
    content_start, content_end = source["content_span"]["start"], source["content_span"]["end"]
    excluded = source.get("excluded_spans")
    article_id = ctx.article_id
    for pointer, ev in ctx.evidence:
        if ev["article_id"] != article_id:
            yield ctx.finding(
                "evidence-wrong-article",
                f"evidence cites {ev['article_id']} in the annotation of {ctx.article_id}",
                pointer + "/article_id",
            )
            continue
        if text is None:
            continue
        start, end, quote = ev["start"], ev["end"], ev["quote"]
        if not 0 <= start < end <= len(text):
            yield ctx.finding(
                "span-out-of-bounds",
                f"offsets {start}-{end} are not within the text (0-{len(text)})",
                pointer + "/start",
            )
        elif text[start:end] != quote:
            yield ctx.finding(
                "evidence-quote-mismatch", _near_miss(text, start, end, quote), pointer + "/quote"
            )
        else:
            prefix, suffix = ev.get("prefix"), ev.get("suffix")
            if prefix is not None and text[max(0, start - len(prefix)) : start] != prefix:
                yield ctx.finding(
                    "evidence-context-mismatch",
                    "prefix is not the text before the quote",
                    pointer + "/prefix",
                )
            if suffix is not None and text[end : end + len(suffix)] != suffix:
                yield ctx.finding(
                    "evidence-context-mismatch",
                    "suffix is not the text after the quote",
                    pointer + "/suffix",
                )
            if not (content_start <= start and end <= content_end) or excluded:
                yield from _check_chrome(ctx, pointer, start, end)


#: How many places a message names where a quote occurs.
_PLACES_SHOWN = 5


def _near_miss(text: str, start: int, end: int, quote: str) -> str:
    """What is at *start*-*end* instead of *quote*, and the first places the quote occurs
    (a count of the others: a short quote may occur everywhere)."""
    at = f"text[{start}:{end}] is {text[start:end][:80]!r}, not the quote"
    places: list[str] = []
    i = text.find(quote) if quote else -1
    while i != -1 and len(places) < _PLACES_SHOWN:
        line, column = line_column(text, i)
        places.append(f"{i}-{i + len(quote)} (line {line}, col {column})")
        i = text.find(quote, i + 1)
    if not places:
        return f"{at}; the quote does not occur in the article at all"
    more = text.count(quote, i) if i != -1 else 0
    return f"{at}; the quote occurs at {', '.join(places)}" + (f" and {more} more" if more else "")


def _check_chrome(ctx: DocumentContext, pointer: str, start: int, end: int) -> Iterator[Finding]:
    src = ctx.doc["source"]
    content = src["content_span"]
    if pointer.startswith("/source/publisher") or pointer.startswith("/source/publication"):
        return  # the site name and dateline may stand outside the body
    if not (content["start"] <= start and end <= content["end"]):
        yield ctx.finding(
            "evidence-in-chrome",
            f"offsets {start}-{end} lie outside the content "
            f"span {content['start']}-{content['end']}",
            pointer,
        )
        return
    for span in src.get("excluded_spans", []):
        if start < span["end"] and span["start"] < end:
            yield ctx.finding(
                "evidence-in-chrome",
                f"offsets {start}-{end} overlap excluded "
                f"chrome {span['start']}-{span['end']} ({span['reason']})",
                pointer,
            )


@lru_cache(maxsize=4096)
def parse_date_value(value: str) -> tuple[dt.date, dt.date, str] | None:
    """Bounds and granularity of an EDTF level-0 value or interval; None if not a real date.
    (Memoized: each value is read by its rule and again for its row, and values repeat.)"""
    parts = value.split("/")
    bounds = [_bounds(p) for p in parts]
    if any(b is None for b in bounds):
        return None
    lows = [b[0] for b in bounds if b]
    grans = {b[2] for b in bounds if b}
    highs = [b[1] for b in bounds if b]
    return lows[0], highs[-1], grans.pop() if len(grans) == 1 else "mixed"


def _bounds(part: str) -> tuple[dt.date, dt.date, str] | None:
    try:
        if len(part) == 4:
            y = int(part)
            return dt.date(y, 1, 1), dt.date(y, 12, 31), "year"
        if len(part) == 7:
            first = dt.date.fromisoformat(part + "-01")
            nxt = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return first, nxt - dt.timedelta(days=1), "month"
        day = dt.date.fromisoformat(part)
        return day, day, "day"
    except ValueError:
        return None


@document_rule("date-value-invalid")
def check_date_values(ctx: DocumentContext) -> Iterator[Finding]:
    """Each date's value, and its corrected value where it has one, is a real date."""
    for i, date in enumerate(ctx.doc["dates"]):
        if date is None:
            continue
        for pointer, stated, what in (
            (f"/dates/{i}/value", date, ""),
            (f"/dates/{i}/correction/value", date.get("correction"), "the corrected value "),
        ):
            if stated is not None and parse_date_value(stated["value"]) is None:
                yield ctx.finding(
                    "date-value-invalid",
                    f"{what}{stated['value']!r} is not a real calendar date or interval",
                    pointer,
                )


@document_rule("trigger-missing", "trigger-cue-unknown", "status-exceeds-trigger")
def check_triggers(ctx: DocumentContext) -> Iterator[Finding]:
    """Each agreement's status and factuality against the cue its trigger carries, for
    versions with a trigger lexicon."""
    lexicon = ctx.lexicon
    if lexicon is None:
        return
    version = ctx.doc["schema_version"]
    for i, agreement in enumerate(ctx.doc["agreements"]):
        if agreement is None:
            continue
        pointer = f"/agreements/{i}"
        trigger = agreement.get("trigger")
        if trigger is None:
            yield ctx.finding(
                "trigger-missing",
                f"{agreement['agreement_id']} has no trigger for its status "
                f"{agreement['status']!r}",
                pointer,
            )
            continue
        found = lexicon.match(trigger["quote"])
        if found is None:
            yield ctx.finding(
                "trigger-cue-unknown",
                f"the trigger {trigger['quote'][:80]!r} holds no cue of the {version} lexicon, "
                f"so status {agreement['status']!r} is not checked against it",
                f"{pointer}/trigger/quote",
            )
            continue
        cue = found.cue
        for field, allowed in (("status", cue.statuses), ("factuality", cue.factualities)):
            if agreement[field] not in allowed:
                yield ctx.finding(
                    "status-exceeds-trigger",
                    f"{field} {agreement[field]!r} is not what the trigger "
                    f"{trigger['quote'][:80]!r} allows: its cue {found.form!r} ({cue.cue}) "
                    f"allows {field} {', '.join(allowed)}",
                    f"{pointer}/{field}",
                    hint=f"Set {field} to one of {', '.join(allowed)} ({cue.meaning}), or quote "
                    "as the trigger the words that carry a stronger one.",
                )


@document_rule("name-not-in-evidence")
def check_names_in_evidence(ctx: DocumentContext) -> Iterator[Finding]:
    """Each name as written occurs in one of its mention's quotes, each title as written in
    one of its role's quotes."""
    for i, mention in enumerate(ctx.doc["actors"]):
        if mention is None:
            continue
        quotes = [ev["quote"] for ev in mention["evidence"]]
        for j, name in enumerate(mention["names_as_written"]):
            if not any(name in quote for quote in quotes):
                yield ctx.finding(
                    "name-not-in-evidence",
                    f"{name!r} occurs in none of the {len(quotes)} quote(s) of "
                    f"{mention['actor_id']}'s mention",
                    f"/actors/{i}/names_as_written/{j}",
                )
        for j, role in enumerate(mention.get("roles", ())):
            title = role["title_as_written"]
            if not any(title in ev["quote"] for ev in role["evidence"]):
                yield ctx.finding(
                    "name-not-in-evidence",
                    f"the title {title!r} occurs in none of its role's quotes",
                    f"/actors/{i}/roles/{j}/title_as_written",
                )


#: The first schema version in which a document states ``no_records`` for an empty article.
NO_RECORDS_SINCE = (1, 1, 0)
#: The title ``toolkit new`` writes, to be replaced.
PLACEHOLDER_TITLE = "TODO: the title as in the text, or assigned"
#: A full date as a dateline writes it: 2023-12-12, 12 December 2023, December 12, 2023.
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_STATED_DATE = re.compile(
    rf"\b(?:\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}} (?:{_MONTHS}) \d{{4}}|"
    rf"(?:{_MONTHS}) \d{{1,2}}, \d{{4}})\b"
)


@document_rule("annotation-unfilled")
def check_filled(ctx: DocumentContext) -> Iterator[Finding]:
    """What ``toolkit new`` leaves to fill: the placeholder title, no records and no word on
    why, a publication left unknown though the text states a date and no note says why."""
    doc, source = ctx.doc, ctx.doc["source"]
    if source["title"]["text"].startswith("TODO"):
        yield ctx.finding(
            "annotation-unfilled",
            "the title is still the placeholder: write the title as it stands in the text "
            "(assigned false, with evidence) or a neutral one (assigned true)",
            "/source/title/text",
        )
    empty = not any(doc[section] for section in ("agreements", "actors", "dates"))
    stated_since = version_key(doc["schema_version"]) >= NO_RECORDS_SINCE
    if empty and "no_records" not in doc and stated_since:
        yield ctx.finding(
            "annotation-unfilled",
            "the document has no agreement, actor or date: annotate them, or state "
            "no_records with the reason the article has none",
            "",
        )
    publication = source["publication"]
    if publication["basis"] == "unknown" and not publication.get("notes") and ctx.text:
        start, end = source["content_span"]["start"], source["content_span"]["end"]
        stated = _STATED_DATE.search(ctx.text, start, end)
        if stated is not None:
            line, column = line_column(ctx.text, stated.start())
            yield ctx.finding(
                "annotation-unfilled",
                f"publication.basis is unknown but the text states {stated.group()!r} (line "
                f"{line}, col {column}): take the publication date from it, or say in "
                "publication.notes why it is not the publication date",
                "/source/publication/basis",
            )


@registry_rule("country-code-invalid")
def check_country_codes(loaded: Loaded) -> Iterator[Finding]:
    import pycountry

    for i, actor in enumerate(loaded.document["actors"]):
        if actor is None:  # set aside for a schema error
            continue
        code = actor.get("country")
        if code is not None and pycountry.countries.get(alpha_3=code) is None:
            yield loaded.finding(
                "country-code-invalid",
                f"{code!r} is not an ISO 3166-1 alpha-3 code",
                f"/actors/{i}/country",
            )
