"""The one Finding type and the stable list of rule codes it may carry.

A rule code is a kebab-case slug that never changes meaning once released; each has a title,
a description and a hint (what the contributor should do), as frictionless does for its errors.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    code: str
    layer: str
    title: str
    hint: str
    severity: Severity = Severity.ERROR


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {r.code: r for r in rules}


#: Every rule code, in documentation order. Layers: file, json, schema, evidence, table.
RULES: dict[str, Rule] = _rules(
    Rule(
        "file-unreadable",
        "file",
        "The file cannot be read",
        "Check that the path is a regular file inside the dataset (no symlink leaving it).",
    ),
    Rule(
        "file-name-invalid",
        "file",
        "The file name is not valid UTF-8",
        "Rename the file (the name shown escapes the bad bytes); the file is not read until then.",
    ),
    Rule(
        "file-too-large",
        "file",
        "The file is larger than the size limit",
        "Split the annotation; documents over the limit are not parsed.",
    ),
    Rule(
        "encoding-bom",
        "file",
        "The file starts with a byte-order mark",
        "Save the file as UTF-8 without BOM.",
    ),
    Rule(
        "encoding-invalid",
        "file",
        "The file is not valid UTF-8",
        "Save the file as UTF-8; the position shows the first bad byte.",
    ),
    Rule(
        "json-syntax",
        "json",
        "The file is not valid JSON (RFC 8259)",
        "Fix the syntax at the position shown (a truncated file ends too early).",
    ),
    Rule(
        "json-trailing-data",
        "json",
        "There is data after the JSON document",
        "Remove everything after the document's closing brace.",
    ),
    Rule(
        "json-duplicate-key",
        "json",
        "An object has the same key twice",
        "Keep one of the two keys; JSON parsers disagree on which one wins.",
    ),
    Rule(
        "json-nonfinite-number",
        "json",
        "NaN or Infinity is not JSON",
        "Use a finite number or null.",
    ),
    Rule(
        "json-number-out-of-range",
        "json",
        "A number does not fit in 64 bits",
        "Use an integer between -2^63 and 2^63-1 (offsets and counts are far smaller).",
    ),
    Rule(
        "json-too-deep",
        "json",
        "The document is nested deeper than the limit",
        "Annotation documents are a few levels deep; flatten the structure.",
    ),
    Rule(
        "json-lone-surrogate",
        "json",
        "A string has an unpaired UTF-16 surrogate escape",
        "Write the character itself, or a complete \\uD8xx\\uDCxx pair.",
    ),
    Rule(
        "document-not-object",
        "json",
        "The document is not a JSON object",
        "An annotation document is one object with schema_version, source and records.",
    ),
    Rule(
        "schema-version-unknown",
        "schema",
        "The declared schema_version is missing or unknown",
        "Set schema_version to a released version (see `toolkit schema list`).",
    ),
    Rule(
        "schema-pointer-mismatch",
        "schema",
        "$schema does not name the declared version's schema",
        "Set $schema to ../../schemas/<schema_version>/annotation.schema.json.",
    ),
    Rule(
        "schema-violation",
        "schema",
        "The record breaks its JSON Schema",
        "Change the value at the pointer so the schema rule named in the message holds.",
    ),
    Rule(
        "source-path-invalid",
        "evidence",
        "source.path does not name this article's file",
        "Set source.path to seeds/articles/<article_id>.txt and name the file <article_id>.json.",
    ),
    Rule(
        "source-missing",
        "evidence",
        "The cited article text does not exist",
        "Add the article to seeds/articles/ or correct source.article_id.",
    ),
    Rule(
        "source-hash-mismatch",
        "evidence",
        "source.sha256 does not match the article file",
        "The article text must be byte-identical to the seed; recompute with `toolkit new`.",
    ),
    Rule(
        "span-out-of-bounds",
        "evidence",
        "A span is empty, reversed or outside the text",
        "Offsets satisfy 0 <= start < end <= length of the article (code points).",
    ),
    Rule(
        "evidence-wrong-article",
        "evidence",
        "Evidence cites another article than the document's",
        "Evidence quotes the document's own article; set article_id accordingly.",
    ),
    Rule(
        "evidence-quote-mismatch",
        "evidence",
        "The quote is not the text at its offsets",
        'Use `toolkit locate ARTICLE "quote"` to get the offsets; quotes are taken exactly.',
    ),
    Rule(
        "evidence-context-mismatch",
        "evidence",
        "prefix or suffix is not the text around the quote",
        "Copy prefix/suffix from the text just before/after the quote, or drop them.",
    ),
    Rule(
        "evidence-in-chrome",
        "evidence",
        "Evidence lies outside the article's content",
        "Quote the article body, not site chrome (navigation, bios, 'See also' links).",
    ),
    Rule(
        "date-value-invalid",
        "evidence",
        "The date value is not a valid EDTF date",
        "Write YYYY, YYYY-MM, YYYY-MM-DD or an interval A/B of real calendar dates.",
    ),
    Rule(
        "country-code-invalid",
        "evidence",
        "The country is not an ISO 3166-1 alpha-3 code",
        "Use the alpha-3 code (CHN, VNM, USA...).",
    ),
    Rule(
        "id-duplicate",
        "table",
        "An id is used by more than one record",
        "Ids are unique across the whole dataset: rename one of the records.",
    ),
    Rule(
        "reference-unresolved",
        "table",
        "A reference names no record",
        "Add the actor to seeds/actors.json or the date to the document, or fix the id.",
    ),
    Rule(
        "date-interval-reversed",
        "table",
        "A date interval or bound pair ends before it starts",
        "Put the earlier date first (start <= end, earliest <= latest).",
    ),
    Rule(
        "date-bounds-precision",
        "table",
        "earliest/latest do not agree with value and precision",
        "For value 2018 (year) the bounds are 2018-01-01 and 2018-12-31; precision matches value.",
    ),
    Rule(
        "date-after-publication",
        "table",
        "A date lies after the article was published",
        "Only plans and targets lie in the future: set role target/deadline/planned, or fix it.",
    ),
    Rule(
        "signed-without-parties",
        "table",
        "A signed agreement lacks two signing parties",
        "List at least two distinct actors with role party or signatory.",
    ),
    Rule(
        "canonical-key-inconsistent",
        "table",
        "A canonical key is used twice in one article",
        "One record per real-world agreement per article: merge them or give distinct keys.",
    ),
    Rule(
        "actor-unmentioned",
        "table",
        "A registry actor is mentioned by no article",
        "Remove the actor from seeds/actors.json or annotate its mention.",
        Severity.WARNING,
    ),
)


@dataclass(frozen=True, order=True)
class Finding:
    """One problem, located: file (relative to the dataset root), 1-based line and column,
    RFC 6901 JSON pointer, rule code, severity, message and hint."""

    file: str
    line: int
    column: int
    pointer: str
    code: str
    message: str
    severity: str = Severity.ERROR.value
    hint: str = ""
    schema_path: str = ""

    @classmethod
    def make(
        cls,
        code: str,
        message: str,
        *,
        file: str,
        pointer: str = "",
        line: int = 1,
        column: int = 1,
        schema_path: str = "",
    ) -> Finding:
        rule = RULES[code]
        return cls(
            file=file,
            line=line,
            column=column,
            pointer=pointer,
            code=code,
            message=message,
            severity=rule.severity.value,
            hint=rule.hint,
            schema_path=schema_path,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def pointer_join(*parts: object) -> str:
    """RFC 6901 pointer from path parts: ``pointer_join("agreements", 0, "a/b")`` ->
    ``/agreements/0/a~1b``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def pointer_split(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/")]
