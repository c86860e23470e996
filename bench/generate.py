"""Generate a synthetic dataset laid out like the repository, for benchmarks and tests.

``python bench/generate.py --records N --seed S --out DIR [--invalid-fraction F]
[--schema-version V]`` writes

- ``DIR/seeds/articles/<NNN>_<16 hex>.txt``: synthetic news articles (site chrome, a title, a
  dateline, body paragraphs with a "See also" line, a footer), with non-ASCII text (Vietnamese
  names, curly apostrophes, an astral-plane character) so offsets must count code points;
- ``DIR/seeds/annotations/<article-id>.json``: one annotation document per article, valid
  against schema 1.1.0 (or 1.0.0), each agreement with the trigger its sentence's words
  carry, with the article's SHA-256, evidence quotes at their code-point
  offsets (some with prefix and suffix), actor references that resolve to the registry, date
  references and anchors that resolve, and canonical keys unique within each article and shared
  across articles that report the same agreement;
- ``DIR/seeds/actors.json``: the actor registry, holding exactly the actors some article
  mentions;
- ``DIR/generated.json``: the summary that :func:`generate` returns.

N is the total number of agreement, actor-mention and date records over all articles (20 to 40
per article). The same arguments give byte-identical files.

With ``--invalid-fraction F`` about F of the documents each get one planted error, cycling
through every rule code that can be planted in a document; the actor registry gets a bad
country code and, when it can be seen, an actor no article mentions. The summary lists every
planted error (rule code, file, JSON pointer). ``actor-unmentioned`` can only be reported when
every document loads and passes its schema, so it is not planted together with an error that
sets a document or a record aside; pass ``--codes`` to choose the codes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from toolkit.check.rule_codes import rule_codes
from toolkit.check.strict_json import MAX_BYTES

Json = dict[str, Any]
Segment = str | tuple[str, str]

SCHEMA_VERSION = "1.1.0"
#: The schema versions a corpus can be written at (1.0.0: no triggers, bounds as the value's).
SCHEMA_VERSIONS = ("1.0.0", "1.1.0")
MIN_PER_ARTICLE = 20
MAX_PER_ARTICLE = 40
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: Codes whose planted error leaves a document unread or a record set aside; while any of them
#: is present the toolkit skips ``actor-unmentioned`` (the dataset is incomplete).
MASKING_CODES = frozenset(
    {
        "file-unreadable",
        "file-too-large",
        "encoding-bom",
        "encoding-invalid",
        "json-syntax",
        "json-trailing-data",
        "json-too-deep",
        "document-not-object",
        "schema-version-unknown",
        "schema-violation",
        "json-nonfinite-number",
        "json-number-out-of-range",
    }
)
#: Codes planted in the actor registry rather than in an annotation document.
REGISTRY_CODES = ("country-code-invalid", "actor-unmentioned")

# ---------------------------------------------------------------------------------------------
# Vocabulary

STATES: tuple[tuple[str, str, str, str], ...] = (
    ("CHN", "China", "Chinese", "Beijing"),
    ("VNM", "Vietnam", "Vietnamese", "Hanoi"),
    ("LAO", "Laos", "Lao", "Vientiane"),
    ("KHM", "Cambodia", "Cambodian", "Phnom Penh"),
    ("THA", "Thailand", "Thai", "Bangkok"),
    ("JPN", "Japan", "Japanese", "Tokyo"),
    ("KOR", "South Korea", "South Korean", "Seoul"),
    ("USA", "United States", "American", "Washington"),
    ("IND", "India", "Indian", "New Delhi"),
    ("IDN", "Indonesia", "Indonesian", "Jakarta"),
    ("MYS", "Malaysia", "Malaysian", "Kuala Lumpur"),
    ("PHL", "Philippines", "Philippine", "Manila"),
    ("SGP", "Singapore", "Singaporean", "Singapore"),
    ("AUS", "Australia", "Australian", "Canberra"),
    ("RUS", "Russia", "Russian", "Moscow"),
    ("FRA", "France", "French", "Paris"),
    ("DEU", "Germany", "German", "Berlin"),
    ("GBR", "United Kingdom", "British", "London"),
    ("MMR", "Myanmar", "Myanmar", "Naypyidaw"),
    ("BRN", "Brunei", "Bruneian", "Bandar Seri Begawan"),
)
WIKIDATA = {"CHN": "Q148", "VNM": "Q881"}
VI_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
VI_MIDDLE = ("Văn", "Thị", "Minh", "Quốc", "Đức", "Thanh", "Hữu")
VI_GIVEN = ("An", "Bình", "Châu", "Dũng", "Hải", "Hùng", "Lan", "Long", "Mai", "Sơn", "Tâm")
ZH_FAMILY = ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu")
ZH_GIVEN = ("Wei", "Jing", "Ming", "Hua", "Jun", "Lei", "Yan", "Qiang", "Fang", "Tao", "Xin")
OTHER_FAMILY = ("Tanaka", "Kim", "Singh", "Santos", "Dubois", "Müller", "Smith", "Ivanov")
OTHER_GIVEN = ("Aiko", "Min-jun", "Arjun", "Maria", "Claire", "Jonas", "Emily", "Sergei")
TITLES = (
    "Prime Minister",
    "Deputy Prime Minister",
    "Foreign Minister",
    "Minister of Industry and Trade",
    "Ambassador",
    "President",
    "General Secretary",
    "Trade Minister",
    "Vice President",
)
MINISTRIES = (
    "Foreign Affairs",
    "Industry and Trade",
    "Transport",
    "Agriculture",
    "Public Security",
    "Finance",
    "Health",
    "Education",
    "Culture",
    "Natural Resources",
)
COMPANY_PARTS = (
    ("Red River", "Pearl", "Jade", "Lotus", "Golden Bridge", "Mekong", "Silk Road", "Harbour"),
    ("Energy", "Rail", "Telecom", "Mining", "Logistics", "Agritech", "Construction", "Bank"),
    ("Group", "Corporation", "Holdings", "Company"),
)
ORGANISATIONS = (
    "Association of Southeast Asian Nations",
    "Asian Development Bank",
    "World Bank",
    "United Nations",
    "Mekong River Commission",
    "Asian Infrastructure Investment Bank",
)
PUBLISHERS = ("Asia Wire", "Mekong Daily", "Harbour Times", "Capital Ledger", "Delta Post")
TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("rail links", ("transport", "infrastructure")),
    ("digital economy cooperation", ("digital", "economy")),
    ("rare earth processing", ("minerals",)),
    ("border trade", ("trade",)),
    ("agricultural exports", ("agriculture", "trade")),
    ("maritime search and rescue", ("maritime", "security")),
    ("customs inspection", ("trade", "law_enforcement")),
    ("power grid connection", ("energy", "infrastructure")),
    ("green development", ("environment", "energy")),
    ("health care training", ("health", "education")),
    ("tourism promotion", ("tourism",)),
    ("telecommunications networks", ("telecoms", "digital")),
    ("university exchanges", ("education", "culture")),
    ("investment protection", ("investment", "finance")),
    ("local currency settlement", ("finance",)),
    ("party-to-party training", ("party_relations",)),
    ("defence dialogue", ("defence", "security")),
    ("joint research laboratories", ("science_technology",)),
    ("cultural heritage", ("culture",)),
    ("water resources", ("environment", "agriculture")),
    ("development assistance", ("finance", "diplomacy")),
    ("crime prevention", ("law_enforcement", "security")),
    ("press cooperation", ("culture", "diplomacy")),
    ("road and bridge projects", ("infrastructure", "transport")),
    ("critical minerals supply", ("minerals", "trade")),
    ("intelligence sharing", ("intelligence", "security")),
)
INSTRUMENTS: tuple[tuple[str, str], ...] = (
    ("memorandum_of_understanding", "a memorandum of understanding"),
    ("agreement", "an agreement"),
    ("protocol", "a protocol"),
    ("joint_statement", "a joint statement"),
    ("declaration", "a declaration"),
    ("strategic_framework", "a strategic framework"),
    ("grant", "a grant"),
    ("pledge", "a pledge"),
    ("package", "a package"),
    ("treaty", "a treaty"),
    ("proposal", "a proposal"),
)
STATUSES: tuple[tuple[str, str, int], ...] = (
    ("signed", "asserted", 34),
    ("agreed", "asserted", 14),
    ("announced", "asserted", 9),
    ("renewed", "asserted", 5),
    ("offered", "asserted", 6),
    ("shelved", "asserted", 2),
    ("proposed", "asserted", 8),
    ("expected", "planned", 8),
    ("under_negotiation", "asserted", 4),
    ("expected", "speculative", 4),
    ("not_reached", "negated", 6),
)
FILLER = (
    "The two sides reviewed cooperation over the past year",
    "Officials described the talks as frank and constructive",
    "Trade between the neighbours has grown steadily",
    "Security was tight around the venue",
    "Several ministers accompanied the delegation",
    "Observers said the visit carried symbolic weight",
)
DATE_KINDS = (
    "day",
    "weekday",
    "month_hist",
    "year_hist",
    "target_year",
    "interval",
    "anniversary",
    "relative_to_date",
    "planned_month",
)


# ---------------------------------------------------------------------------------------------
# Helpers


def slug(text: str) -> str:
    """ASCII kebab-case slug (``Phạm Văn Đức`` -> ``pham-van-duc``)."""
    folded = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    words = "".join(c if c.isalnum() and c.isascii() else " " for c in ascii_text).split()
    return "-".join(words)


def ordinal(n: int) -> str:
    """``1`` -> ``1st``, ``12`` -> ``12th``, ``23`` -> ``23rd``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def long_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def count_evidence(value: Any) -> int:
    """Number of evidence objects (objects with a quote) in *value*."""
    if isinstance(value, dict):
        if "quote" in value:
            return 1
        return sum(count_evidence(v) for v in value.values())
    if isinstance(value, list):
        return sum(count_evidence(v) for v in value)
    return 0


def dump_json(doc: Any) -> bytes:
    """The canonical serialization of every generated JSON file."""
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def article_ids(count: int, seed: int) -> list[str]:
    """*count* distinct article ids ``NNN_<16 hex>``: the sequence wraps at 1000, the hex part
    comes from a hash of the seed and the index, so ids stay distinct past 1000 articles."""
    ids: list[str] = []
    seen: set[str] = set()
    for i in range(count):
        salt = 0
        while True:
            digest = hashlib.sha256(f"{seed}:{i}:{salt}".encode()).hexdigest()[:16]
            aid = f"{i % 1000:03d}_{digest}"
            if aid not in seen:
                break
            salt += 1
        seen.add(aid)
        ids.append(aid)
    return ids


def split_records(records: int, rng: random.Random) -> list[int]:
    """Record counts per article, each 20-40 (fewer only when *records* is below 20)."""
    sizes: list[int] = []
    remaining = records
    while remaining > 0:
        if remaining <= MAX_PER_ARTICLE:
            size = remaining
        else:
            size = rng.randint(MIN_PER_ARTICLE, min(MAX_PER_ARTICLE, remaining - MIN_PER_ARTICLE))
        sizes.append(size)
        remaining -= size
    return sizes


# ---------------------------------------------------------------------------------------------
# Actors


@dataclass(frozen=True)
class Actor:
    actor_id: str
    kind: str
    name: str
    country: str | None
    other_names: tuple[str, ...] = ()
    title: str | None = None
    parent: str | None = None
    wikidata_qid: str | None = None

    def registry_entry(self, known: set[str]) -> Json:
        entry: Json = {"actor_id": self.actor_id, "kind": self.kind, "name": self.name}
        if self.other_names:
            entry["other_names"] = list(self.other_names)
        entry["country"] = self.country
        if self.wikidata_qid:
            entry["wikidata_qid"] = self.wikidata_qid
        if self.parent and self.parent in known:
            entry["parent_id"] = self.parent
        return entry


def actor_pool(seed: int) -> tuple[list[Actor], dict[str, str]]:
    """The actors articles draw from: states, people, ministries, companies, organisations."""
    rng = random.Random(f"{seed}:actors")
    pool: list[Actor] = []
    used: set[str] = set()

    def unique_id(base: str) -> str:
        candidate, n = f"act-{base}", 2
        while candidate in used:
            candidate, n = f"act-{base}-{n}", n + 1
        used.add(candidate)
        return candidate

    state_ids: dict[str, str] = {}
    for code, name, _adj, capital in STATES:
        aid = unique_id(slug(name))
        state_ids[code] = aid
        pool.append(Actor(aid, "state", name, code, (capital,), wikidata_qid=WIKIDATA.get(code)))
    for _ in range(120):
        code = rng.choice(("VNM", "VNM", "CHN", "CHN", *(s[0] for s in STATES)))
        if code == "VNM":
            name = " ".join((rng.choice(VI_FAMILY), rng.choice(VI_MIDDLE), rng.choice(VI_GIVEN)))
        elif code == "CHN":
            name = f"{rng.choice(ZH_FAMILY)} {rng.choice(ZH_GIVEN)}"
        else:
            name = f"{rng.choice(OTHER_GIVEN)} {rng.choice(OTHER_FAMILY)}"
        pool.append(
            Actor(
                unique_id(slug(name)),
                "person",
                name,
                code,
                (name.split()[0 if code in ("VNM", "CHN") else -1],),
                title=rng.choice(TITLES),
            )
        )
    for code, _state, adj, _capital in STATES:
        for ministry in rng.sample(MINISTRIES, 3):
            name = f"{adj} Ministry of {ministry}"
            pool.append(
                Actor(unique_id(slug(name)), "government_body", name, code, parent=state_ids[code])
            )
    for _ in range(40):
        code = rng.choice(STATES)[0]
        name = " ".join(rng.choice(part) for part in COMPANY_PARTS)
        pool.append(Actor(unique_id(slug(name)), "company", name, code))
    for name in ORGANISATIONS:
        pool.append(Actor(unique_id(slug(name)), "international_organisation", name, None))
    return pool, state_ids


# ---------------------------------------------------------------------------------------------
# Articles


class TextBuilder:
    """Appends text and remembers the code-point span of every marked segment."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0

    def add(self, text: str) -> tuple[int, int]:
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start, self.length

    def segments(self, segments: Iterable[Segment]) -> dict[str, tuple[int, int]]:
        spans: dict[str, tuple[int, int]] = {}
        for seg in segments:
            if isinstance(seg, tuple):
                spans[seg[0]] = self.add(seg[1])
            else:
                self.add(seg)
        return spans

    def text(self) -> str:
        return "".join(self.parts)


#: A record under construction: its sentence, and a function turning the sentence's spans
#: (and the finished text) into the record.
Finisher = Callable[[dict[str, tuple[int, int]], "ArticleContext"], Json]


@dataclass
class Pending:
    section: str
    segments: list[Segment]
    finish: Finisher
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass
class ArticleContext:
    article_id: str
    text: str
    rng: random.Random

    def evidence(self, span: tuple[int, int], context: bool = False) -> Json:
        start, end = span
        ev: Json = {
            "article_id": self.article_id,
            "quote": self.text[start:end],
            "start": start,
            "end": end,
        }
        if context and start > 0 and end < len(self.text):
            ev["prefix"] = self.text[max(0, start - 16) : start]
            ev["suffix"] = self.text[end : end + 16]
        return ev


@dataclass
class Article:
    """One generated article: its id, text and annotation document."""

    article_id: str
    text: str
    document: Json
    mentioned: list[str]
    counts: dict[str, int]


@dataclass
class Canonical:
    key: str
    topic: str
    instrument_type: str
    instrument_phrase: str
    sectors: tuple[str, ...]


def canonical_pool(seed: int, size: int) -> list[Canonical]:
    """Real-world agreements that several articles may report (shared canonical keys)."""
    rng = random.Random(f"{seed}:canonical")
    pool = []
    for k in range(size):
        topic, sectors = rng.choice(TOPICS)
        itype, phrase = rng.choice(INSTRUMENTS)
        key = f"{slug(topic)}-{itype.replace('_', '-')}-{k:04d}"
        pool.append(Canonical(key, topic, itype, phrase, sectors))
    return pool


class ArticleGenerator:
    """Builds one article and its annotation document from a record budget."""

    def __init__(
        self,
        pool: list[Actor],
        state_ids: dict[str, str],
        canon: list[Canonical],
        seed: int,
        schema_version: str = SCHEMA_VERSION,
    ) -> None:
        self.schema_version = schema_version
        #: 1.1.0 and later: triggers on agreements, date bounds that follow mod
        self.triggers = schema_version != "1.0.0"
        self.pool = pool
        self.by_id = {a.actor_id: a for a in pool}
        self.state_ids = state_ids
        self.states = [a for a in pool if a.kind == "state"]
        self.others = [a for a in pool if a.kind != "state"]
        self.canon = canon
        self.seed = seed

    def split(self, index: int, size: int) -> tuple[int, int, int]:
        """How many actor mentions, agreements and dates article *index* holds."""
        rng = random.Random(f"{self.seed}:split:{index}")
        n_actors = max(1, round(size * rng.uniform(0.3, 0.4)))
        n_agreements = (size - n_actors) // 2
        return n_actors, n_agreements, size - n_actors - n_agreements

    def build(self, index: int, article_id: str, size: int) -> Article:
        rng = random.Random(f"{self.seed}:article:{index}")
        n_actors, n_agreements, n_dates = self.split(index, size)
        tag = article_id.replace("_", "-")
        publication = dt.date(2023, 12, 10) + dt.timedelta(days=rng.randint(0, 10))
        mentioned = self._choose_actors(rng, n_actors)
        dates, date_meta = self._dates(rng, tag, n_dates, publication)
        agreements = self._agreements(rng, tag, n_agreements, mentioned, date_meta)
        mentions = [self._mention(rng, self.by_id[a], mentioned) for a in mentioned]
        pending = mentions + agreements + dates
        order = list(range(len(pending)))
        rng.shuffle(order)

        builder = TextBuilder()
        publisher = rng.choice(PUBLISHERS) if rng.random() < 0.8 else None
        builder.add("📰 ")
        publisher_span = builder.add(publisher or "World News")
        builder.add(" | World | Asia\n\n")
        state_a = self.by_id[mentioned[0]]
        state_b = self.by_id[mentioned[min(1, len(mentioned) - 1)]]
        title = f"{state_a.name} and {state_b.name} hold talks on {rng.choice(TOPICS)[0]}"
        title_span = builder.add(title)
        content_start = title_span[0]
        builder.add("\n\n")
        capital = state_b.other_names[0] if state_b.kind == "state" else "Hanoi"
        builder.add(f"{capital}, ")
        dateline_span = builder.add(long_date(publication))
        builder.add(" — ")
        see_also_at = len(order) // 2
        excluded: list[Json] = []
        for pos, k in enumerate(order):
            if pos == see_also_at and pos:
                builder.add("\n\n")
                start, end = builder.add(f"See also: {rng.choice(FILLER)}")
                excluded.append({"start": start, "end": end, "reason": "related-link chrome"})
                builder.add("\n\n")
            elif pos:
                builder.add("\n\n" if rng.random() < 0.25 else " ")
            if rng.random() < 0.15:
                builder.add(f"{rng.choice(FILLER)}. ")
            pending[k].spans = builder.segments(pending[k].segments)
            builder.add(".")
        content_end = builder.length
        builder.add("\n\nBack to top\n")
        text = builder.text()
        ctx = ArticleContext(article_id, text, rng)

        records: dict[str, list[Json]] = {"actors": [], "agreements": [], "dates": []}
        for item in pending:
            records[item.section].append(item.finish(item.spans, ctx))
        source: Json = {
            "article_id": article_id,
            "path": f"seeds/articles/{article_id}.txt",
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "title": {"text": title, "assigned": False, "evidence": [ctx.evidence(title_span)]},
            "publisher": (
                {"name": publisher, "evidence": [ctx.evidence(publisher_span)]}
                if publisher
                else None
            ),
            "publication": {
                "date": publication.isoformat(),
                "precision": "day",
                "basis": "stated",
                "earliest": publication.isoformat(),
                "latest": publication.isoformat(),
                "evidence": [ctx.evidence(dateline_span)],
            },
            "language": "en",
            "offset_unit": "code_point",
            "content_span": {"start": content_start, "end": content_end},
        }
        if excluded:
            source["excluded_spans"] = excluded
        provenance: Json = {
            "annotators": [f"annotator-{rng.randint(1, 6)}"],
            "annotated_on": (dt.date(2024, 1, 8) + dt.timedelta(days=index % 300)).isoformat(),
        }
        if rng.random() < 0.5:
            provenance["reviewers"] = ["reviewer-1"]
            provenance["reviewed_on"] = (
                dt.date(2024, 2, 1) + dt.timedelta(days=index % 300)
            ).isoformat()
        document: Json = {
            "$schema": f"../../schemas/{self.schema_version}/annotation.schema.json",
            "schema_version": self.schema_version,
            "source": source,
            "provenance": provenance,
            "actors": records["actors"],
            "agreements": records["agreements"],
            "dates": records["dates"],
        }
        counts = {
            "actor_mentions": n_actors,
            "agreements": n_agreements,
            "dates": n_dates,
        }
        return Article(article_id, text, document, mentioned, counts)

    # -- actors -------------------------------------------------------------------------------

    def _choose_actors(self, rng: random.Random, n: int) -> list[str]:
        if rng.random() < 0.7:
            first = [self.state_ids["CHN"], self.state_ids["VNM"]]
        else:
            first = [s.actor_id for s in rng.sample(self.states, 2)]
        chosen = first[:n]
        rest = [a.actor_id for a in self.others if a.actor_id not in chosen]
        chosen += rng.sample(rest, max(0, n - len(chosen)))
        return chosen

    def _mention(self, rng: random.Random, actor: Actor, mentioned: list[str]) -> Pending:
        kind = actor.kind
        segments: list[Segment]
        if kind == "state":
            capital = actor.other_names[0]
            if rng.random() < 0.5 and capital != actor.name:
                segments = [
                    "Officials in ",
                    ("alt", capital),
                    " said ",
                    ("name", actor.name),
                    "’s position was unchanged",
                ]
            else:
                segments = [("name", actor.name), "’s delegation arrived in the morning"]
        elif kind == "person":
            segments = [
                ("title", actor.title or "Official"),
                " ",
                ("name", actor.name),
                " attended the ceremony",
            ]
            if rng.random() < 0.3 and actor.other_names[0] != actor.name:
                segments += [", and ", ("alt", actor.other_names[0]), " later spoke to reporters"]
        elif kind == "company":
            segments = ["Executives from ", ("name", actor.name), " joined the delegation"]
        elif kind == "international_organisation":
            segments = ["Representatives of the ", ("name", actor.name), " observed the meeting"]
        else:
            segments = ["The ", ("name", actor.name), " issued a statement on the talks"]
        org = self.state_ids.get(actor.country or "")
        with_org = kind == "person" and org is not None and org in mentioned

        def finish(spans: dict[str, tuple[int, int]], ctx: ArticleContext) -> Json:
            names = [actor.name]
            evidence = [ctx.evidence(spans["name"], context=ctx.rng.random() < 0.3)]
            if "alt" in spans:
                names.append(actor.other_names[0])
                evidence.append(ctx.evidence(spans["alt"]))
            mention: Json = {"actor_id": actor.actor_id, "names_as_written": names}
            if "title" in spans:
                role: Json = {"title_as_written": actor.title}
                if with_org:
                    role["organization_id"] = org
                role["evidence"] = [ctx.evidence(spans["title"])]
                mention["roles"] = [role]
            mention["evidence"] = evidence
            return mention

        return Pending("actors", segments, finish)

    # -- dates --------------------------------------------------------------------------------

    def _dates(
        self, rng: random.Random, tag: str, n: int, publication: dt.date
    ) -> tuple[list[Pending], list[tuple[str, str]]]:
        """Date records and, for agreements, (date_id, relation) pairs to link to."""
        out: list[Pending] = []
        meta: list[tuple[str, str]] = []
        days: list[tuple[str, dt.date]] = []
        for j in range(n):
            date_id = f"dat-{tag}-{j + 1}"
            kind = rng.choice(DATE_KINDS)
            if kind == "relative_to_date" and not days:
                kind = "day"
            record: Json
            segments: list[Segment]
            relation = "mentioned"
            if kind == "day":
                day = publication - dt.timedelta(days=rng.randint(0, 3))
                text = long_date(day)
                segments = ["The documents were signed on ", ("q", text)]
                record = self._date(date_id, text, day.isoformat(), "day", day, day, "signing")
                days.append((date_id, day))
                relation = "signed"
            elif kind == "weekday":
                day = publication - dt.timedelta(days=rng.randint(1, 6))
                text = WEEKDAYS[day.weekday()]
                segments = ["Delegates met on ", ("q", text)]
                record = self._date(date_id, text, day.isoformat(), "day", day, day, "visit")
                record["relative"] = True
                record["anchor"] = {"kind": "publication"}
                record["derived"] = True
                record["derivation"] = f"The {text} before publication on {publication}."
                days.append((date_id, day))
            elif kind == "month_hist":
                year, month = rng.randint(1991, 2022), rng.randint(1, 12)
                text = f"{MONTHS[month - 1]} {year}"
                segments = ["Trade grew sharply in ", ("q", text)]
                first, last = dt.date(year, month, 1), month_end(year, month)
                record = self._date(
                    date_id, text, f"{year}-{month:02d}", "month", first, last, "historical"
                )
            elif kind == "year_hist":
                year = rng.randint(1950, 2022)
                text = str(year)
                segments = ["Relations were upgraded in ", ("q", text)]
                record = self._date(
                    date_id,
                    text,
                    text,
                    "year",
                    dt.date(year, 1, 1),
                    dt.date(year, 12, 31),
                    "historical",
                )
            elif kind == "target_year":
                year = publication.year + rng.randint(1, 12)
                text = f"by {year}"
                segments = ["Both sides aim to finish the work ", ("q", text)]
                record = self._date(
                    date_id,
                    text,
                    str(year),
                    "year",
                    dt.date(year, 1, 1),
                    dt.date(year, 12, 31),
                    "target",
                )
                record["mod"] = "ON_OR_BEFORE"
                if self.triggers:
                    record["earliest"] = None  # "by 2030": no first day
                relation = "target"
            elif kind == "interval":
                y1 = rng.randint(2000, publication.year)
                y2 = y1 + rng.randint(1, 10)
                text = f"from {y1} to {y2}"
                segments = ["The plan covers the period ", ("q", text)]
                record = self._date(
                    date_id,
                    text,
                    f"{y1}/{y2}",
                    "year",
                    dt.date(y1, 1, 1),
                    dt.date(y2, 12, 31),
                    "other",
                )
                relation = "effective"
            elif kind == "anniversary":
                n_years = rng.randint(5, 75)
                year = publication.year - n_years
                text = f"{ordinal(n_years)} anniversary"
                segments = ["The visit marked the ", ("q", text), " of diplomatic ties"]
                record = self._date(
                    date_id,
                    text,
                    str(year),
                    "year",
                    dt.date(year, 1, 1),
                    dt.date(year, 12, 31),
                    "anniversary",
                )
                record["relative"] = True
                record["anchor"] = {"kind": "publication"}
                record["derived"] = True
                record["derivation"] = f"{publication.year} minus {n_years} years."
            elif kind == "relative_to_date":
                base_id, base = rng.choice(days)
                back = rng.randint(1, 3)
                day = base - dt.timedelta(days=back)
                text = f"{('One', 'Two', 'Three')[back - 1]} day{'s' if back > 1 else ''} earlier"
                segments = [("q", text), ", ministers prepared the documents"]
                record = self._date(date_id, text, day.isoformat(), "day", day, day, "other")
                record["relative"] = True
                record["anchor"] = {"kind": "date", "date_id": base_id}
                record["derived"] = True
                record["derivation"] = f"{back} day(s) before {base_id}."
                days.append((date_id, day))
            else:
                year = publication.year + rng.randint(1, 3)
                month = rng.randint(1, 12)
                text = f"{MONTHS[month - 1]} {year}"
                segments = ["A follow-up meeting is planned for ", ("q", text)]
                record = self._date(
                    date_id,
                    text,
                    f"{year}-{month:02d}",
                    "month",
                    dt.date(year, month, 1),
                    month_end(year, month),
                    "planned",
                )
                relation = "target"
            out.append(Pending("dates", segments, _date_finisher(record)))
            meta.append((date_id, relation))
        return out, meta

    @staticmethod
    def _date(
        date_id: str,
        text: str,
        value: str,
        precision: str,
        earliest: dt.date,
        latest: dt.date,
        role: str,
    ) -> Json:
        return {
            "date_id": date_id,
            "text": text,
            "value": value,
            "precision": precision,
            "earliest": earliest.isoformat(),
            "latest": latest.isoformat(),
            "role": role,
            "relative": False,
            "derived": False,
        }

    # -- agreements ---------------------------------------------------------------------------

    def _agreements(
        self,
        rng: random.Random,
        tag: str,
        n: int,
        mentioned: list[str],
        dates: list[tuple[str, str]],
    ) -> list[Pending]:
        out: list[Pending] = []
        chosen = rng.sample(self.canon, min(n, len(self.canon)))
        weights = [w for _, _, w in STATUSES]
        for j, canon in enumerate(chosen):
            status, factuality, _ = rng.choices(STATUSES, weights)[0]
            if len(mentioned) < 2 and status in ("signed", "offered"):
                status, factuality = "proposed", "planned"
            parties, segments, counts, title = self._agreement_sentence(
                rng, status, factuality, canon, mentioned
            )
            trigger = _trigger_words(status, factuality) if self.triggers else None
            links: list[Json] = []
            if dates:
                for date_id, relation in rng.sample(dates, min(len(dates), rng.randint(0, 2))):
                    links.append({"date_id": date_id, "relation": relation})
            agreement: Json = {
                "agreement_id": f"agr-{tag}-{j + 1}",
                "title_as_reported": title,
                "instrument_type": canon.instrument_type,
                "status": status,
                "factuality": factuality,
                "parties": parties,
                "sectors": list(canon.sectors),
            }
            if links:
                agreement["dates"] = links
            agreement["canonical_key"] = canon.key
            flag = rng.random() < 0.1
            out.append(
                Pending(
                    "agreements", segments, _agreement_finisher(agreement, counts, flag, trigger)
                )
            )
        return out

    def _agreement_sentence(
        self,
        rng: random.Random,
        status: str,
        factuality: str,
        canon: Canonical,
        mentioned: list[str],
    ) -> tuple[list[Json], list[Segment], int | None, str]:
        """Parties, sentence segments, the count it states (if any) and the title."""
        pair = rng.sample(mentioned, 2) if len(mentioned) >= 2 else [mentioned[0]]
        a = self.by_id[pair[0]]
        b = self.by_id[pair[-1]] if len(pair) > 1 else None

        def role(actor: Actor) -> str:
            return "party" if actor.kind == "state" else "signatory"

        both = f"{a.name} and {b.name}" if b else a.name
        count: int | None = None
        title = f"{canon.instrument_phrase} on {canon.topic}"
        if canon.instrument_type == "package" and status == "signed" and b:
            count = rng.randint(2, 40)
            nbsp = "\u00a0" if rng.random() < 0.5 else " "
            segments: list[Segment] = [
                ("q", f"{both} signed a package of "),
                ("count", f"{count}{nbsp}cooperation documents"),
                ("q2", f" on {canon.topic}"),
            ]
            parties = [
                {"actor_id": a.actor_id, "role": role(a)},
                {"actor_id": b.actor_id, "role": role(b)},
            ]
            return parties, segments, count, "a package of cooperation documents"
        phrases = {
            "signed": f"{both} signed {title}",
            "agreed": f"{both} agreed on {title}",
            "announced": f"{a.name} announced {title}",
            "renewed": f"{both} renewed {title}",
            "offered": f"{a.name} offered {title} to {b.name if b else 'its partner'}",
            "shelved": f"{both} shelved {title}",
            "proposed": f"{a.name} proposed {title}",
            "under_negotiation": f"{both} are still negotiating {title}",
            "not_reached": f"No agreement was reached by {both} on {canon.topic}",
        }
        if status == "expected":
            sentence = (
                f"Analysts said {both} could eventually sign {title}"
                if factuality == "speculative"
                else f"{both} are expected to conclude {title}"
            )
        else:
            sentence = phrases[status]
        if status == "offered" and b:
            parties = [
                {"actor_id": a.actor_id, "role": "offeror"},
                {"actor_id": b.actor_id, "role": "recipient"},
            ]
        elif status == "proposed":
            parties = [{"actor_id": a.actor_id, "role": "proposer"}]
        else:
            parties = [{"actor_id": a.actor_id, "role": role(a)}]
            if b:
                parties.append({"actor_id": b.actor_id, "role": role(b)})
        if status == "not_reached":
            title = f"agreement on {canon.topic}"
        return parties, [("q", sentence)], count, title


def _date_finisher(record: Json) -> Finisher:
    def finish(spans: dict[str, tuple[int, int]], ctx: ArticleContext) -> Json:
        done = dict(record)
        done["evidence"] = [ctx.evidence(spans["q"], context=ctx.rng.random() < 0.2)]
        return done

    return finish


#: The words of each generated sentence that carry its status (a cue of the 1.1.0 lexicon).
_TRIGGERS = {
    "signed": "signed",
    "agreed": "agreed on",
    "announced": "announced",
    "renewed": "renewed",
    "offered": "offered",
    "shelved": "shelved",
    "proposed": "proposed",
    "under_negotiation": "negotiating",
    "not_reached": "No agreement was reached",
}


def _trigger_words(status: str, factuality: str) -> str:
    if status == "expected":
        return "could" if factuality == "speculative" else "are expected to"
    return _TRIGGERS[status]


def _agreement_finisher(
    agreement: Json, count: int | None, flag: bool, trigger: str | None = None
) -> Finisher:
    def finish(spans: dict[str, tuple[int, int]], ctx: ArticleContext) -> Json:
        done: Json = {}
        for key, value in agreement.items():
            done[key] = value
            if key == "factuality" and trigger is not None:
                at = ctx.text.index(trigger, spans["q"][0])
                done["trigger"] = ctx.evidence((at, at + len(trigger)))
        if count is not None:
            start, end = spans["q"][0], spans["q2"][1]
            done["counts"] = [
                {
                    "value": count,
                    "counted": "cooperation documents",
                    "evidence": [ctx.evidence(spans["count"])],
                }
            ]
        else:
            start, end = spans["q"]
        done["evidence"] = [ctx.evidence((start, end), context=ctx.rng.random() < 0.3)]
        if flag:
            done["flags"] = [
                {
                    "kind": "ambiguity",
                    "note": "The article does not say who initiated it.",
                    "related": [agreement["agreement_id"]],
                }
            ]
        return done

    return finish


# ---------------------------------------------------------------------------------------------
# Planted errors


@dataclass
class Target:
    """One document chosen for a planted error, with what a planter may need."""

    article: Article
    root: Path
    other_article_id: str

    @property
    def doc(self) -> Json:
        return self.article.document

    @property
    def ann_rel(self) -> str:
        return f"seeds/annotations/{self.article.article_id}.json"

    @property
    def ann_path(self) -> Path:
        return self.root / self.ann_rel

    def write_doc(self) -> None:
        self.ann_path.write_bytes(dump_json(self.doc))

    def write_bytes(self, data: bytes) -> None:
        self.ann_path.write_bytes(data)

    def replace_text(self, old: str, new: str) -> None:
        data = dump_json(self.doc).decode("utf-8")
        if old not in data:
            raise ValueError(f"cannot plant: {old!r} not in {self.ann_rel}")
        self.ann_path.write_bytes(data.replace(old, new, 1).encode("utf-8"))


#: A planter writes the target's annotation file with one error and returns the pointer.
Planter = Callable[[Target], str]


def _first_evidence(doc: Json) -> tuple[str, Json]:
    return "/agreements/0/evidence/0", doc["agreements"][0]["evidence"][0]


def _plant_file_unreadable(t: Target) -> str:
    t.ann_path.mkdir()
    (t.ann_path / "README").write_text("a folder, not a file\n", encoding="utf-8")
    return ""


def _plant_file_too_large(t: Target) -> str:
    with open(t.ann_path, "wb") as f:
        f.write(dump_json(t.doc))
        f.truncate(MAX_BYTES + 1)
    return ""


def _plant_bom(t: Target) -> str:
    t.write_bytes(b"\xef\xbb\xbf" + dump_json(t.doc))
    return ""


def _plant_encoding(t: Target) -> str:
    t.write_bytes(dump_json(t.doc).replace(b'"language": "en"', b'"language": "e\xffn"', 1))
    return ""


def _plant_syntax(t: Target) -> str:
    data = dump_json(t.doc)
    t.write_bytes(data[: len(data) // 2])
    return ""


def _plant_trailing(t: Target) -> str:
    t.write_bytes(dump_json(t.doc) + b"{}\n")
    return ""


def _plant_duplicate_key(t: Target) -> str:
    t.replace_text('"language": "en",', '"language": "en",\n    "language": "vi",')
    return "/source/language"


def _plant_nonfinite(t: Target) -> str:
    start = t.doc["source"]["content_span"]["start"]
    t.replace_text(
        f'"content_span": {{\n      "start": {start},', '"content_span": {\n      "start": NaN,'
    )
    return "/source/content_span/start"


def _plant_out_of_range(t: Target) -> str:
    start = t.doc["source"]["content_span"]["start"]
    t.replace_text(
        f'"content_span": {{\n      "start": {start},',
        '"content_span": {\n      "start": 123456789012345678901234567890,',
    )
    return "/source/content_span/start"


def _plant_too_deep(t: Target) -> str:
    node: list[Any] = []
    t.doc["notes"] = node
    for _ in range(80):
        node.append([])
        node = node[0]
    t.write_doc()
    return ""


def _plant_lone_surrogate(t: Target) -> str:
    stamp = f'"schema_version": "{t.doc["schema_version"]}",'
    t.replace_text(stamp, stamp + '\n  "notes": "\\ud800",')
    return "/notes"


def _plant_not_object(t: Target) -> str:
    t.write_bytes(b"[]\n")
    return ""


def _plant_schema_version(t: Target) -> str:
    t.doc["schema_version"] = "9.9.9"
    t.write_doc()
    return "/schema_version"


def _plant_schema_pointer(t: Target) -> str:
    t.doc["$schema"] = "https://example.com/elsewhere.schema.json"
    t.write_doc()
    return "/$schema"


def _plant_schema_violation(t: Target) -> str:
    t.doc["agreements"][0]["status"] = "sealed"
    t.write_doc()
    return "/agreements/0/status"


def _plant_source_path(t: Target) -> str:
    t.doc["source"]["path"] = f"seeds/articles/{t.other_article_id}.txt"
    t.write_doc()
    return "/source/path"


def _plant_source_missing(t: Target) -> str:
    (t.root / "seeds" / "articles" / f"{t.article.article_id}.txt").unlink()
    t.write_doc()
    return "/source/article_id"


def _plant_hash(t: Target) -> str:
    t.doc["source"]["sha256"] = "0" * 64
    t.write_doc()
    return "/source/sha256"


def _plant_span(t: Target) -> str:
    t.doc["source"]["content_span"]["end"] = len(t.article.text) + 1000
    t.write_doc()
    return "/source/content_span"


def _plant_wrong_article(t: Target) -> str:
    pointer, ev = _first_evidence(t.doc)
    ev["article_id"] = t.other_article_id
    t.write_doc()
    return pointer + "/article_id"


def _plant_quote_mismatch(t: Target) -> str:
    pointer, ev = _first_evidence(t.doc)
    text = t.article.text
    for shift in range(1, 50):
        if text[ev["start"] + shift : ev["end"] + shift] != ev["quote"]:
            break
    ev["start"] += shift
    ev["end"] += shift
    t.write_doc()
    return pointer + "/quote"


def _plant_context(t: Target) -> str:
    pointer, ev = _first_evidence(t.doc)
    ev["prefix"] = "not the text before the quote"
    ev.pop("suffix", None)
    t.write_doc()
    return pointer + "/prefix"


def _plant_chrome(t: Target) -> str:
    pointer, ev = _first_evidence(t.doc)
    at = t.article.text.rindex("Back to top")
    ev.clear()
    ev.update(
        article_id=t.article.article_id, quote="Back to top", start=at, end=at + len("Back to top")
    )
    t.write_doc()
    return pointer


def _plant_date_value(t: Target) -> str:
    date = t.doc["dates"][0]
    date.update(value="2023-02-30", precision="day", earliest="2023-02-28", latest="2023-02-28")
    t.write_doc()
    return "/dates/0/value"


def _plant_duplicate_id(t: Target) -> str:
    agreements = t.doc["agreements"]
    agreements[1]["agreement_id"] = agreements[0]["agreement_id"]
    t.write_doc()
    return "/agreements/1/agreement_id"


def _plant_reference(t: Target) -> str:
    t.doc["agreements"][0]["parties"][0]["actor_id"] = "act-planted-nobody"
    t.write_doc()
    return "/agreements/0/parties/0/actor_id"


def _plant_interval(t: Target) -> str:
    t.doc["dates"][0].pop("mod", None)
    t.doc["dates"][0].update(
        value="2020/2019", precision="year", earliest="2020-01-01", latest="2019-12-31"
    )
    t.write_doc()
    return "/dates/0/value"


def _plant_bounds(t: Target) -> str:
    date = t.doc["dates"][0]
    date["precision"] = "year" if date["precision"] == "day" else "day"
    t.write_doc()
    return "/dates/0/precision"


def _plant_after_publication(t: Target) -> str:
    latest = dt.date.fromisoformat(t.doc["source"]["publication"]["latest"])
    day = (latest + dt.timedelta(days=400)).isoformat()
    t.doc["dates"][0].pop("mod", None)
    t.doc["dates"][0].update(
        value=day, precision="day", earliest=day, latest=day, role="historical"
    )
    t.write_doc()
    return "/dates/0/role"


def _plant_signed(t: Target) -> str:
    agreement = t.doc["agreements"][0]
    agreement.update(status="signed", factuality="asserted")
    if "trigger" in agreement:  # the sentence's words then say signed
        agreement["trigger"] = _word(t, "signed")
    agreement["parties"] = [{"actor_id": agreement["parties"][0]["actor_id"], "role": "party"}]
    t.write_doc()
    return "/agreements/0/parties"


def _plant_canonical(t: Target) -> str:
    agreements = t.doc["agreements"]
    agreements[1]["canonical_key"] = agreements[0]["canonical_key"]
    t.write_doc()
    return "/agreements/1/canonical_key"


def _word(t: Target, word: str) -> Json:
    """The evidence of the first standalone *word* in the target's article body."""
    text = t.article.text
    span = t.doc["source"]["content_span"]
    at = re.search(rf"\b{re.escape(word)}\b", text[span["start"] : span["end"]])
    if at is None:
        raise ValueError(f"cannot plant: no {word!r} in {t.ann_rel}")
    start = span["start"] + at.start()
    return {"article_id": t.article.article_id, "quote": word, "start": start,
            "end": start + len(word)}  # fmt: skip


def _plant_status_trigger(t: Target) -> str:
    agreement = t.doc["agreements"][0]
    agreement["status"] = "unknown" if agreement["status"] != "unknown" else "signed"
    t.write_doc()
    return "/agreements/0/status"


def _plant_trigger_missing(t: Target) -> str:
    t.doc["agreements"][0].pop("trigger")
    t.write_doc()
    return "/agreements/0"


def _plant_trigger_cue(t: Target) -> str:
    agreement = t.doc["agreements"][0]
    trigger = agreement["evidence"][0]
    first = trigger["quote"].split(" ", 1)[0]
    agreement["trigger"] = {**trigger, "quote": first, "end": trigger["start"] + len(first)}
    agreement["trigger"].pop("prefix", None)
    agreement["trigger"].pop("suffix", None)
    t.write_doc()
    return "/agreements/0/trigger/quote"


def _plant_relation(t: Target) -> str:
    agreement = t.doc["agreements"][0]
    relations = [{"relation": "part_of", "canonical_key": agreement["canonical_key"]}]
    done: Json = {}
    for key, value in agreement.items():
        done[key] = value
        if key == "canonical_key":
            done["relations"] = relations
    t.doc["agreements"][0] = done
    t.write_doc()
    return "/agreements/0/relations/0/canonical_key"


def _plant_name(t: Target) -> str:
    t.doc["actors"][0]["names_as_written"].append("Planted Name")
    t.write_doc()
    return f"/actors/0/names_as_written/{len(t.doc['actors'][0]['names_as_written']) - 1}"


def _plant_unfilled(t: Target) -> str:
    t.doc["source"]["title"] = {"text": "TODO: the title as in the text, or assigned",
                                "assigned": True}  # fmt: skip
    t.write_doc()
    return "/source/title/text"


#: Codes that only documents of 1.1.0 and later can carry.
TRIGGER_CODES = frozenset(
    {"status-exceeds-trigger", "trigger-missing", "trigger-cue-unknown", "relation-invalid",
     "annotation-unfilled"}
)  # fmt: skip


#: Every rule code that can be planted in one annotation document, in documentation order.
DOCUMENT_PLANTERS: dict[str, Planter] = {
    "file-unreadable": _plant_file_unreadable,
    "file-too-large": _plant_file_too_large,
    "encoding-bom": _plant_bom,
    "encoding-invalid": _plant_encoding,
    "json-syntax": _plant_syntax,
    "json-trailing-data": _plant_trailing,
    "json-duplicate-key": _plant_duplicate_key,
    "json-nonfinite-number": _plant_nonfinite,
    "json-number-out-of-range": _plant_out_of_range,
    "json-too-deep": _plant_too_deep,
    "json-lone-surrogate": _plant_lone_surrogate,
    "document-not-object": _plant_not_object,
    "schema-version-unknown": _plant_schema_version,
    "schema-pointer-mismatch": _plant_schema_pointer,
    "schema-violation": _plant_schema_violation,
    "source-path-invalid": _plant_source_path,
    "source-missing": _plant_source_missing,
    "source-hash-mismatch": _plant_hash,
    "span-out-of-bounds": _plant_span,
    "evidence-wrong-article": _plant_wrong_article,
    "evidence-quote-mismatch": _plant_quote_mismatch,
    "evidence-context-mismatch": _plant_context,
    "evidence-in-chrome": _plant_chrome,
    "date-value-invalid": _plant_date_value,
    "id-duplicate": _plant_duplicate_id,
    "reference-unresolved": _plant_reference,
    "date-interval-reversed": _plant_interval,
    "date-bounds-precision": _plant_bounds,
    "date-after-publication": _plant_after_publication,
    "signed-without-parties": _plant_signed,
    "canonical-key-inconsistent": _plant_canonical,
    "status-exceeds-trigger": _plant_status_trigger,
    "trigger-missing": _plant_trigger_missing,
    "trigger-cue-unknown": _plant_trigger_cue,
    "relation-invalid": _plant_relation,
    "name-not-in-evidence": _plant_name,
    "annotation-unfilled": _plant_unfilled,
}
#: What a document needs for a planter to apply: (agreements, dates) at least.
_NEEDS: dict[str, tuple[int, int]] = {
    "schema-violation": (1, 0),
    "evidence-wrong-article": (1, 0),
    "evidence-quote-mismatch": (1, 0),
    "evidence-context-mismatch": (1, 0),
    "evidence-in-chrome": (1, 0),
    "reference-unresolved": (1, 0),
    "signed-without-parties": (1, 0),
    "id-duplicate": (2, 0),
    "canonical-key-inconsistent": (2, 0),
    "status-exceeds-trigger": (1, 0),
    "trigger-missing": (1, 0),
    "trigger-cue-unknown": (1, 0),
    "relation-invalid": (1, 0),
    "date-value-invalid": (0, 1),
    "date-interval-reversed": (0, 1),
    "date-bounds-precision": (0, 1),
    "date-after-publication": (0, 1),
}
#: Codes after which the document is still read and its source still listed.
_SOURCE_SURVIVES = frozenset(DOCUMENT_PLANTERS) - MASKING_CODES


def plantable_codes(schema_version: str = SCHEMA_VERSION) -> list[str]:
    """Every rule code the generator can plant in a corpus of *schema_version*, in
    documentation order."""
    return [
        c
        for c in rule_codes()
        if (c in DOCUMENT_PLANTERS or c in REGISTRY_CODES)
        and (schema_version != "1.0.0" or c not in TRIGGER_CODES)
    ]


def _assign(
    codes: Sequence[str], sizes: list[tuple[int, int]], fraction: float, rng: random.Random
) -> dict[int, str]:
    """Which document gets which planted code: about *fraction* of the documents, codes
    cycling in order, each on a document that has the records the planter needs."""
    doc_codes = [c for c in codes if c in DOCUMENT_PLANTERS]
    if fraction <= 0 or not doc_codes:
        return {}
    slots = max(1, round(fraction * len(sizes)))
    order = list(range(len(sizes)))
    rng.shuffle(order)
    free = order[:slots]
    assignment: dict[int, str] = {}
    k = 0
    misses = 0
    while free and misses < len(doc_codes):
        code = doc_codes[k % len(doc_codes)]
        k += 1
        need_agr, need_dates = _NEEDS.get(code, (0, 0))
        fit = next((i for i in free if sizes[i][0] >= need_agr and sizes[i][1] >= need_dates), None)
        if fit is None:
            misses += 1
            continue
        misses = 0
        assignment[fit] = code
        free.remove(fit)
    return assignment


# ---------------------------------------------------------------------------------------------
# Entry point


def generate(
    records: int,
    seed: int,
    out: Path,
    invalid_fraction: float = 0.0,
    *,
    codes: Iterable[str] | None = None,
    schema_version: str = SCHEMA_VERSION,
) -> dict[str, Any]:
    """Write a synthetic dataset of *records* records under *out* and return its summary.

    :param records: agreements + actor mentions + dates over all articles (at least 1).
    :param invalid_fraction: share of documents (0-1) that each get one planted error.
    :param codes: rule codes to plant (default: every plantable code, with
        ``actor-unmentioned`` left out when a code that hides it is planted).
    :param schema_version: the version the documents declare (one of
        :data:`SCHEMA_VERSIONS`; 1.0.0 documents have no triggers).
    :raises FileExistsError: when *out* already holds a ``seeds`` folder.
    :returns: ``articles``, ``records`` and per-type counts, ``actors``, ``planted`` (count by
        rule code), ``plantings`` (code, file, pointer) and ``not_planted`` (code: reason).
    """
    if records < 1:
        raise ValueError("records must be at least 1")
    if not 0.0 <= invalid_fraction <= 1.0:
        raise ValueError("invalid_fraction must be between 0 and 1")
    if schema_version not in SCHEMA_VERSIONS:
        raise ValueError(f"cannot write schema version {schema_version}: {SCHEMA_VERSIONS}")
    plantable = plantable_codes(schema_version)
    wanted = list(codes) if codes is not None else plantable
    unknown = [c for c in wanted if c not in plantable]
    if unknown:
        raise ValueError(f"cannot plant {', '.join(unknown)}; plantable: {plantable}")
    out = Path(out)
    seeds = out / "seeds"
    if seeds.exists():
        raise FileExistsError(f"{seeds} exists; generate into an empty folder")

    master = random.Random(f"{seed}:layout")
    sizes = split_records(records, master)
    ids = article_ids(len(sizes), seed)
    pool, state_ids = actor_pool(seed)
    generator = ArticleGenerator(pool, state_ids, canonical_pool(seed, 400), seed, schema_version)
    budgets = [generator.split(i, size)[1:] for i, size in enumerate(sizes)]
    assignment = _assign(wanted, budgets, invalid_fraction if wanted else 0.0, master)
    not_planted: dict[str, str] = {}
    planted_codes = set(assignment.values())
    registry_codes = [c for c in REGISTRY_CODES if c in wanted and invalid_fraction > 0]
    if "actor-unmentioned" in registry_codes and planted_codes & MASKING_CODES:
        registry_codes.remove("actor-unmentioned")
        if codes is None:
            not_planted["actor-unmentioned"] = (
                "hidden: the toolkit skips it while a document or record is set aside "
                "(planted: " + ", ".join(sorted(planted_codes & MASKING_CODES)) + ")"
            )
        else:
            raise ValueError(
                "actor-unmentioned cannot be seen together with "
                + ", ".join(sorted(planted_codes & MASKING_CODES))
            )
    if invalid_fraction > 0:
        for code in wanted:
            if code in DOCUMENT_PLANTERS and code not in planted_codes and code not in not_planted:
                not_planted[code] = "no document left to plant it in (raise the fraction)"
    survivors = [
        ids[i] for i in range(len(ids)) if assignment.get(i, "") in _SOURCE_SURVIVES | {""}
    ]
    (seeds / "articles").mkdir(parents=True)
    (seeds / "annotations").mkdir()

    plantings: list[dict[str, str]] = []
    mentioned: set[str] = set()
    totals = {"actor_mentions": 0, "agreements": 0, "dates": 0, "evidence": 0}
    for i, (article_id, size) in enumerate(zip(ids, sizes, strict=True)):
        article = generator.build(i, article_id, size)
        mentioned.update(article.mentioned)
        for key, value in article.counts.items():
            totals[key] += value
        totals["evidence"] += count_evidence(article.document)
        (seeds / "articles" / f"{article_id}.txt").write_bytes(article.text.encode("utf-8"))
        planted_code = assignment.get(i)
        if planted_code is None:
            (seeds / "annotations" / f"{article_id}.json").write_bytes(dump_json(article.document))
            continue
        others = [a for a in survivors if a != article_id] or [ids[(i + 1) % len(ids)]]
        target = Target(article, out, others[i % len(others)])
        pointer = DOCUMENT_PLANTERS[planted_code](target)
        plantings.append({"code": planted_code, "file": target.ann_rel, "pointer": pointer})

    known = set(mentioned)
    actors = [a.registry_entry(known) for a in pool if a.actor_id in known]
    actors.sort(key=lambda a: str(a["actor_id"]))
    if "country-code-invalid" in registry_codes:
        index = next(i for i, a in enumerate(actors) if a["country"] is not None)
        actors[index]["country"] = "XXX"
        plantings.append(
            {
                "code": "country-code-invalid",
                "file": "seeds/actors.json",
                "pointer": f"/actors/{index}/country",
            }
        )
    if "actor-unmentioned" in registry_codes:
        actors.append(
            {
                "actor_id": "act-planted-unmentioned",
                "kind": "other",
                "name": "Planted Unmentioned Actor",
                "country": None,
            }
        )
        plantings.append(
            {
                "code": "actor-unmentioned",
                "file": "seeds/actors.json",
                "pointer": f"/actors/{len(actors) - 1}",
            }
        )
    registry = {
        "$schema": f"../schemas/{schema_version}/actor_registry.schema.json",
        "schema_version": schema_version,
        "actors": actors,
    }
    (seeds / "actors.json").write_bytes(dump_json(registry))

    planted: dict[str, int] = {}
    for p in plantings:
        planted[p["code"]] = planted.get(p["code"], 0) + 1
    plantings.sort(key=lambda p: (p["file"], p["pointer"], p["code"]))
    summary: dict[str, Any] = {
        "seed": seed,
        "invalid_fraction": invalid_fraction,
        "articles": len(ids),
        "records": records,
        **totals,
        "actors": len(actors),
        "planted": dict(sorted(planted.items())),
        "plantings": plantings,
        "not_planted": dict(sorted(not_planted.items())),
    }
    (out / "generated.json").write_bytes(dump_json(summary))
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: generate the dataset and print its summary (without the plantings list)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--records", type=int, required=True, help="records over all articles")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="dataset root to create")
    parser.add_argument(
        "--invalid-fraction",
        type=float,
        default=0.0,
        help="share of documents that get one planted error (0-1)",
    )
    parser.add_argument(
        "--schema-version",
        default=SCHEMA_VERSION,
        choices=SCHEMA_VERSIONS,
        help="the version the documents declare",
    )
    parser.add_argument(
        "--codes",
        default=None,
        help="comma-separated rule codes to plant (default: all plantable codes)",
    )
    args = parser.parse_args(argv)
    codes = [c for c in args.codes.split(",") if c] if args.codes else None
    try:
        summary = generate(
            args.records,
            args.seed,
            args.out,
            args.invalid_fraction,
            codes=codes,
            schema_version=args.schema_version,
        )
    except (ValueError, FileExistsError) as exc:
        parser.error(str(exc))
    brief = {k: v for k, v in summary.items() if k != "plantings"}
    print(json.dumps(brief, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
