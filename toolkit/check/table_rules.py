"""Whole-dataset rules, checked with pandera (polars backend) on the flattened tables.

Each rule is a ``TableRule``: a rule code, the table, a polars expression that is true on good
rows, the pointer suffix that locates the offending value, and a message. pandera runs them all
lazily; every failure case becomes a Finding that points at the row's file and JSON pointer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from toolkit.check.rows import FUTURE_ROLES, Row, Rows
from toolkit.findings import RuleCode, Severity, declare

TABLE_CODES = declare(
    RuleCode(
        "id-duplicate",
        "table",
        "An id is used by more than one record",
        "Ids are unique across the whole dataset: rename one of the records.",
    ),
    RuleCode(
        "reference-unresolved",
        "table",
        "A reference names no record",
        "Add the actor to seeds/actors.json or the date to the document, or fix the id.",
    ),
    RuleCode(
        "date-interval-reversed",
        "table",
        "A date interval or bound pair ends before it starts",
        "Put the earlier date first (start <= end, earliest <= latest).",
    ),
    RuleCode(
        "date-bounds-precision",
        "table",
        "earliest/latest do not agree with value and precision",
        "For value 2018 (year) the bounds are 2018-01-01 and 2018-12-31; precision matches value.",
    ),
    RuleCode(
        "date-after-publication",
        "table",
        "A date lies after the article was published",
        "Only plans and targets lie in the future: set role target/deadline/planned, or fix it.",
    ),
    RuleCode(
        "signed-without-parties",
        "table",
        "A signed agreement lacks two signing parties",
        "List at least two distinct actors with role party or signatory.",
    ),
    RuleCode(
        "relation-invalid",
        "table",
        "A relation between agreements names the record's own canonical key",
        "A relation links two distinct canonical agreements: name the other one's key.",
    ),
    RuleCode(
        "canonical-key-inconsistent",
        "table",
        "A canonical key is used twice in one article",
        "One record per real-world agreement per article: merge them or give distinct keys.",
    ),
    RuleCode(
        "actor-unmentioned",
        "table",
        "A registry actor is mentioned by no article",
        "Remove the actor from seeds/actors.json or annotate its mention.",
        Severity.WARNING,
    ),
)
Message = Callable[[Row], str]


@dataclass(frozen=True)
class TableRule:
    """A dataset-wide rule: the code it emits (one of :data:`TABLE_CODES`), its table, a
    polars expression true on good rows, where in the row's record it points, a message."""

    code: str
    table: str
    expr: Callable[[dict[str, Any]], Any]  # context -> polars boolean expression (True = ok)
    message: Message
    field: str = ""  # appended to the row's pointer
    #: (column, context key): for a failing row, the known values close to its column's
    #: value are named in the hint (a misspelt id)
    suggest: tuple[str, str] | None = None


@dataclass(frozen=True)
class TableFailure:
    rule: TableRule
    row: Row
    #: the known values close to the failing one (see :attr:`TableRule.suggest`)
    close: tuple[str, ...] = ()

    @property
    def hint(self) -> str:
        """What to write instead, where close values are known; else "" (the code's hint)."""
        if not self.close:
            return ""
        listed = ", ".join(self.close)
        return f"Did you mean {listed}? Ids and keys are taken exactly; fix the reference."


def _rules() -> list[TableRule]:
    import polars as pl

    c = pl.col

    def unique(*cols: str) -> Callable[[dict[str, Any]], Any]:
        return lambda ctx: (
            ~pl.struct(*cols).is_duplicated() if len(cols) > 1 else ~c(cols[0]).is_duplicated()
        )

    def member(col: str, known: str, nullable: bool = False) -> Callable[[dict[str, Any]], Any]:
        def expr(ctx: dict[str, Any]) -> Any:
            e = c(col).is_in(ctx[known].implode())
            return e.fill_null(nullable)

        return expr

    rules = [
        TableRule(
            "id-duplicate",
            "sources",
            unique("article_id"),
            lambda r: f"{r['article_id']} is annotated by more than one document",
            "/article_id",
        ),
        TableRule(
            "id-duplicate",
            "actors",
            unique("actor_id"),
            lambda r: f"actor id {r['actor_id']} is used more than once",
            "/actor_id",
        ),
        TableRule(
            "id-duplicate",
            "actor_mentions",
            unique("mention_id"),
            lambda r: f"actor {r['actor_id']} is listed twice in this article",
            "/actor_id",
        ),
        TableRule(
            "id-duplicate",
            "agreements",
            unique("agreement_id"),
            lambda r: f"agreement id {r['agreement_id']} is used more than once",
            "/agreement_id",
        ),
        TableRule(
            "id-duplicate",
            "dates",
            unique("date_id"),
            lambda r: f"date id {r['date_id']} is used more than once",
            "/date_id",
        ),
        TableRule(
            "reference-unresolved",
            "actor_refs",
            member("actor_id", "actor_ids"),
            lambda r: f"actor {r['actor_id']} is not in the actor registry",
            suggest=("actor_id", "actor_ids"),
        ),
        TableRule(
            "reference-unresolved",
            "agreement_dates",
            member("_key", "date_keys"),
            lambda r: f"date {r['date_id']} is not a date record of article {r['article_id']}",
        ),
        TableRule(
            "reference-unresolved",
            "date_refs",
            member("_key", "date_keys"),
            lambda r: (
                f"anchor date {r['date_id']} is not a date record of article {r['article_id']}"
            ),
        ),
        TableRule(
            "reference-unresolved",
            "agreement_relations",
            member("related_key", "canonical_keys"),
            lambda r: (
                f"{r['relation']} names canonical key {r['related_key']}, which no agreement "
                "record has"
            ),
            suggest=("related_key", "canonical_keys"),
        ),
        TableRule(
            "relation-invalid",
            "agreement_relations",
            lambda ctx: c("related_key") != c("canonical_key"),
            lambda r: f"{r['relation']} names the record's own canonical key {r['related_key']}",
        ),
        TableRule(
            "reference-unresolved",
            "flag_refs",
            member("record_id", "record_ids"),
            lambda r: f"the flag names {r['record_id']}, which is no record of the dataset",
            suggest=("record_id", "record_ids"),
        ),
        TableRule(
            "reference-unresolved",
            "evidence",
            member("article_id", "article_ids"),
            lambda r: f"evidence cites {r['article_id']}, which no source describes",
            "/article_id",
        ),
        *(rule for table in DATE_TABLES for rule in _date_rules(table)),
        TableRule(
            "signed-without-parties",
            "agreements",
            lambda ctx: (c("status") != "signed") | (c("_signing_party_count") >= 2),
            lambda r: (
                f"{r['agreement_id']} is signed but has "
                f"{r['_signing_party_count']} signing part(ies)"
            ),
            "/parties",
        ),
        TableRule(
            "canonical-key-inconsistent",
            "agreements",
            unique("article_id", "canonical_key"),
            lambda r: (
                f"canonical key {r['canonical_key']} is used by more than one record "
                f"of article {r['article_id']}"
            ),
            "/canonical_key",
        ),
        TableRule(
            "actor-unmentioned",
            "actors",
            lambda ctx: c("article_ids").list.len() > 0,
            lambda r: f"actor {r['actor_id']} is mentioned by no article",
        ),
    ]
    undeclared = {r.code for r in rules} - set(TABLE_CODES)
    if undeclared:
        raise ValueError(f"table rules emit undeclared codes: {sorted(undeclared)}")
    return rules


#: Tables of references that may name a record of any article: checked only when every
#: document and record could be read.
_WHOLE = ("agreement_relations", "flag_refs")
#: The tables of date rows: the dates as stated, and their corrections.
DATE_TABLES = ("dates", "date_corrections")


def _date_rules(table: str) -> list[TableRule]:
    """The rules of a date's value, precision and bounds, on *table* (one of
    :data:`DATE_TABLES`)."""
    import polars as pl

    c = pl.col
    return [
        TableRule(
            "date-interval-reversed",
            table,
            lambda ctx: (c("earliest") <= c("latest")).fill_null(True),
            lambda r: f"earliest {r['earliest']} is after latest {r['latest']}",
            "/earliest",
        ),
        TableRule(
            "date-interval-reversed",
            table,
            lambda ctx: c("_interval_ok"),
            lambda r: f"interval {r['value']} ends before it starts",
            "/value",
        ),
        TableRule(
            "date-bounds-precision",
            table,
            lambda ctx: (
                ~c("_parsed")
                | (
                    c("earliest").eq_missing(c("_value_low"))
                    & c("latest").eq_missing(c("_value_high"))
                )
            ),
            lambda r: (
                f"value {r['value']} spans {_bound(r['_value_low'])}..{_bound(r['_value_high'])}, "
                f"but earliest/latest are {_bound(r['earliest'])}..{_bound(r['latest'])}"
            ),
            "/earliest",
        ),
        TableRule(
            "date-bounds-precision",
            table,
            lambda ctx: (
                (c("precision") == c("_granularity"))
                | (c("precision").is_in(["decade", "century"]) & c("value").str.contains("/"))
                | c("_granularity").is_null()
            ),
            lambda r: (
                f"precision is {r['precision']} but {r['value']} is written to the "
                f"{r['_granularity']}"
            ),
            "/precision",
        ),
        TableRule(
            "date-after-publication",
            table,
            lambda ctx: (
                c("_publication_latest").is_null()
                | (c("earliest") <= c("_publication_latest")).fill_null(True)
                | c("role").is_in(list(FUTURE_ROLES))
            ),
            lambda r: (
                f"{r['value']} ({r['role']}) is after the article was published "
                f"(by {r['_publication_latest']})"
            ),
            "/role",
        ),
    ]


def _bound(day: Any) -> str:
    """A bound as a message shows it: the day, or "open" for none."""
    return "open" if day is None else str(day)


#: Columns the rule messages read beyond those their expressions read.
MESSAGE_COLUMNS = frozenset(
    {
        "article_id", "actor_id", "agreement_id", "date_id", "earliest", "latest", "value",
        "_value_low", "_value_high", "precision", "_granularity", "role",
        "_publication_latest", "_signing_party_count", "canonical_key", "related_key",
        "relation", "record_id",
    }
)  # fmt: skip
#: Columns read to build the rules' context and the actors' mention lists.
CONTEXT_COLUMNS = {
    "actors": {"actor_id"},
    "sources": {"article_id"},
    "dates": {"article_id", "date_id"},
    "agreements": {"agreement_id", "canonical_key"},
    "actor_mentions": {"actor_id", "article_id"},
}


def columns_checked() -> dict[str, set[str]]:
    """table -> the columns validation reads (rules, messages, context, provenance); the
    others (quotes, notes, titles) matter only to the export."""
    import polars as pl

    none = pl.Series([], dtype=pl.String)
    empty: dict[str, Any] = {
        k: none for k in ("actor_ids", "article_ids", "date_keys", "canonical_keys", "record_ids")
    }
    out: dict[str, set[str]] = {
        t: set(c) | {"_file", "_pointer"} for t, c in CONTEXT_COLUMNS.items()
    }
    for rule in _rules():
        names = out.setdefault(rule.table, {"_file", "_pointer"})
        names.update(_columns_read([rule], empty))
        names.update(MESSAGE_COLUMNS)
    return out


def frames_of(tables: Rows, wanted: dict[str, set[str]]) -> dict[str, Any]:
    """One polars frame per table, of just the columns *wanted* names for it (every column of
    a table it does not name); *wanted* is :func:`columns_checked`, computed once by the
    caller."""
    import polars as pl

    out = {}
    for table in tables.names:
        columns = tables.columns(table)
        names = [n for n in columns if n in wanted.get(table, columns)]
        frame = pl.DataFrame({n: columns[n] for n in names}, strict=False)
        # the file name repeats on every row of a file: stored once per batch, not per row
        out[table] = frame.with_columns(pl.col("_file").cast(pl.Categorical))
    return out


def check_tables(
    frames: dict[str, Any],
    *,
    complete: bool = True,
    known_date_keys: set[str] | None = None,
) -> list[TableFailure]:
    """Validate every table (a polars frame each, see :func:`frames_of`) with pandera (lazy)
    and return every failing row.

    :param complete: False when some documents or records could not be read; rules that need
        the whole dataset (an actor mentioned nowhere) are then skipped.
    :param known_date_keys: ``article|id`` of records set aside for schema errors, so
        references to them are not reported again.
    """
    import pandera.polars as pa
    import polars as pl
    from pandera.errors import SchemaErrors

    def values(table: str, expr: Any) -> Any:
        """The distinct values of *expr* over *table*, as a string Series."""
        frame = frames.get(table)
        if frame is None or not frame.height:
            return pl.Series([], dtype=pl.String)
        return frame.select(expr.cast(pl.String)).to_series().unique()

    rules = _rules()
    date_key = pl.col("article_id") + "|" + pl.col("date_id")
    ctx = {
        "actor_ids": values("actors", pl.col("actor_id")),
        "article_ids": values("sources", pl.col("article_id")),
        "date_keys": pl.concat(
            [values("dates", date_key), pl.Series(sorted(known_date_keys or ()), dtype=pl.String)]
        ),
        "canonical_keys": values("agreements", pl.col("canonical_key")),
        "record_ids": pl.concat(
            [
                values("agreements", pl.col("agreement_id")),
                values("dates", pl.col("date_id")),
                values("actors", pl.col("actor_id")),
                pl.Series(
                    sorted(k.split("|", 1)[1] for k in known_date_keys or ()), dtype=pl.String
                ),
            ]
        ),
    }
    if not complete:  # what a document or record set aside held may be what a rule seeks
        rules = [
            r
            for r in rules
            if r.code != "actor-unmentioned"
            and not (r.code == "reference-unresolved" and r.table in _WHOLE)
        ]
    failures: list[TableFailure] = []
    for table in sorted({r.table for r in rules}):
        full = frames.get(table)
        if full is None or not full.height:
            continue
        mine = [r for r in rules if r.table == table]
        frame = full.select(_columns_read(mine, ctx, full.columns))
        if "date_id" in frame.columns and "article_id" in frame.columns:
            frame = frame.with_columns(_key=date_key)
        schema = pa.DataFrameSchema(
            checks=[
                pa.Check(
                    lambda data, rule=rule: data.lazyframe.select(rule.expr(ctx)),
                    name=f"{i}:{rule.code}",
                )
                for i, rule in enumerate(mine)
            ],
        )
        try:
            schema.validate(frame, lazy=True)
        except SchemaErrors as exc:
            cases = exc.failure_cases
            for case in cases.select("check", "index").unique().sort("check", "index").to_dicts():
                check = str(case["check"])
                if ":" not in check or case["index"] is None:
                    continue
                rule = mine[int(check.split(":", 1)[0])]
                row = full.row(int(case["index"]), named=True)
                failures.append(TableFailure(rule, row, _close(rule, row, ctx)))
    return failures


def _close(rule: TableRule, row: Row, ctx: dict[str, Any]) -> tuple[str, ...]:
    """The known values closest to the failing row's (at most three), for a rule that
    suggests them."""
    if rule.suggest is None:
        return ()
    import difflib

    column, known = rule.suggest
    value = row.get(column)
    if not isinstance(value, str):
        return ()
    return tuple(difflib.get_close_matches(value, ctx[known].to_list(), n=3, cutoff=0.6))


def _columns_read(
    rules: list[TableRule], ctx: dict[str, Any], present: Iterable[str] | None = None
) -> list[str]:
    """The columns the rules' expressions read, in a stable order (``_key`` is derived from
    ``article_id`` and ``date_id``); with *present*, only those of them present."""
    names: set[str] = set()
    for rule in rules:
        names.update(rule.expr(ctx).meta.root_names())
    if "_key" in names:
        names.discard("_key")
        names.update(("article_id", "date_id"))
    if present is not None:
        names &= set(present)
    return sorted(names)
