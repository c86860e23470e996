"""The rows the dataset-wide checks read: annotation documents and the actor registry
flattened into tables of just the columns those checks need.

Every row keeps ``_file`` and ``_pointer`` (where in which file it came from) so that a
failing row points back to the file, line and JSON pointer of its record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from toolkit.check.document_rules import iter_evidence, parse_date_value
from toolkit.registry import version_key

Row = dict[str, Any]
PROVENANCE = ("_file", "_pointer")
#: Roles that make an actor a signing party of an agreement.
SIGNING_ROLES = ("party", "signatory")
#: Date roles that may lie after the article's publication.
FUTURE_ROLES = ("target", "deadline", "planned")
#: The first schema version whose date bounds follow ``mod`` (an open end for "by", "after").
MOD_BOUNDS_SINCE = (1, 1, 0)
_ONE_DAY = dt.timedelta(days=1)


class Rows:
    """Rows of every table, stored column by column (one Python list per column), in a
    stable order.

    Rows are added as dicts (every row of a table has the same keys), or for the tables with
    the most rows as tuples (:meth:`adder`), and turned into columns on first read: columns
    become polars or Arrow columns without converting a dict per row. A table takes its rows
    one way or the other, not both.
    """

    def __init__(self) -> None:
        self._columns: dict[str, dict[str, list[Any]]] = {}
        self._pending: dict[str, list[Row]] = {}
        self._pending_tuples: dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]] = {}

    def add(self, table: str, row: Row) -> None:
        self._pending.setdefault(table, []).append(row)

    def adder(self, table: str, keys: tuple[str, ...]) -> Callable[[tuple[Any, ...]], None]:
        """A function that adds a row of *table* given as a tuple of the values of *keys*, in
        that order: for the tables with the most rows, cheaper than a dict per row."""
        pending = self._pending_tuples.get(table)
        if pending is None:
            pending = self._pending_tuples[table] = (keys, [])
        return pending[1].append

    def _flush(self) -> None:
        for table, rows in self._pending.items():
            columns = self._columns.get(table)
            if columns is None:
                self._columns[table] = {k: [r[k] for r in rows] for k in rows[0]}
            else:
                for k, values in columns.items():
                    values.extend([r[k] for r in rows])
        self._pending = {}
        for table, (keys, tuples) in self._pending_tuples.items():
            if not tuples:
                continue
            columns = self._columns.setdefault(table, {k: [] for k in keys})
            for k, column in zip(keys, zip(*tuples, strict=True), strict=True):
                columns[k].extend(column)
        self._pending_tuples = {}

    @property
    def names(self) -> list[str]:
        self._flush()
        return sorted(self._columns)

    def columns(self, table: str) -> dict[str, list[Any]]:
        """Every column of *table* (empty when it has no rows)."""
        self._flush()
        return self._columns.get(table, {})

    def count(self, table: str) -> int:
        columns = self.columns(table)
        return len(next(iter(columns.values()))) if columns else 0


def iso_date(value: str | None) -> dt.date | None:
    """The date an ISO 8601 ``YYYY-MM-DD`` value of a schema-valid document names (None for
    none)."""
    return dt.date.fromisoformat(value) if value else None


def registry_rows(
    t: Rows, file: str, reg: dict[str, Any], mentioned: Mapping[str, list[str]]
) -> None:
    """Add the actor registry's rows; each actor lists the articles that mention it
    (*mentioned*: actor id -> ids of the articles mentioning it, sorted, each once)."""
    add_ref = t.adder("actor_refs", ACTOR_REF_KEYS)
    for i, actor in enumerate(reg["actors"]):
        if actor is None:  # set aside for a schema error: its id is known all the same
            continue
        t.add(
            "actors",
            {
                "actor_id": actor["actor_id"],
                "article_ids": list(mentioned.get(actor["actor_id"], ())),
                "_file": file,
                "_pointer": f"/actors/{i}",
            },
        )
        if actor.get("parent_id"):
            add_ref((actor["parent_id"], file, f"/actors/{i}/parent_id"))


def document_rows(
    t: Rows,
    file: str,
    doc: dict[str, Any],
    *,
    evidence: list[tuple[str, dict[str, Any]]] | None = None,
) -> None:
    """Add the rows of one schema-valid annotation document (*file* is its name): the
    columns the dataset-wide checks read (:func:`toolkit.check.table_rules.columns_checked`),
    with where each row came from.

    :param evidence: the document's evidence
        (:func:`~toolkit.check.document_rules.iter_evidence`), when already listed.
    """
    src = doc["source"]
    aid = src["article_id"]
    pub = src["publication"]
    t.add("sources", {"article_id": aid, "_file": file, "_pointer": "/source"})
    add_ref = t.adder("actor_refs", ACTOR_REF_KEYS)
    add_party = t.adder("agreement_parties", PARTY_KEYS)
    add_agreement_date = t.adder("agreement_dates", AGREEMENT_DATE_KEYS)
    for i, m in records(doc, "actors"):
        ptr = f"/actors/{i}"
        t.add(
            "actor_mentions",
            {
                "mention_id": f"{aid}/{m['actor_id']}",
                "article_id": aid,
                "actor_id": m["actor_id"],
                "_file": file,
                "_pointer": ptr,
            },
        )
        add_ref((m["actor_id"], file, ptr + "/actor_id"))
        for j, r in enumerate(m.get("roles", [])):
            if r.get("organization_id"):
                add_ref((r["organization_id"], file, f"{ptr}/roles/{j}/organization_id"))
    for i, a in records(doc, "agreements"):
        ptr = f"/agreements/{i}"
        signing = {p["actor_id"] for p in a["parties"] if p["role"] in SIGNING_ROLES}
        t.add(
            "agreements",
            {
                "agreement_id": a["agreement_id"],
                "article_id": aid,
                "canonical_key": a["canonical_key"],
                "status": a["status"],
                "_signing_party_count": len(signing),
                "_file": file,
                "_pointer": ptr,
            },
        )
        for j, p in enumerate(a["parties"]):
            party_ptr = f"{ptr}/parties/{j}"
            add_party((a["agreement_id"], p["actor_id"], p["role"], aid, file, party_ptr))
            add_ref((p["actor_id"], file, party_ptr + "/actor_id"))
        for j, rel in enumerate(a.get("relations", [])):
            t.add(
                "agreement_relations",
                {
                    "canonical_key": a["canonical_key"],
                    "related_key": rel["canonical_key"],
                    "relation": rel["relation"],
                    "article_id": aid,
                    "_file": file,
                    "_pointer": f"{ptr}/relations/{j}/canonical_key",
                },
            )
        for j, d in enumerate(a.get("dates", [])):
            add_agreement_date(
                (
                    a["agreement_id"],
                    d["date_id"],
                    d["relation"],
                    aid,
                    file,
                    f"{ptr}/dates/{j}/date_id",
                )
            )
    follows_mod = version_key(doc["schema_version"]) >= MOD_BOUNDS_SINCE
    publication_latest = iso_date(pub["latest"])
    for i, d in records(doc, "dates"):
        ptr = f"/dates/{i}"
        mod = d.get("mod") if follows_mod else None
        t.add("dates", _date_row(d, d["date_id"], aid, mod, publication_latest, file, ptr))
        correction = d.get("correction")
        if correction is not None:
            row = _date_row(
                {**correction, "role": d["role"]},
                d["date_id"],
                aid,
                mod,
                publication_latest,
                file,
                ptr + "/correction",
            )
            t.add("date_corrections", row)
        anchor = d.get("anchor") or {}
        if anchor.get("date_id"):
            t.add(
                "date_refs",
                {
                    "article_id": aid,
                    "date_id": anchor["date_id"],
                    "_file": file,
                    "_pointer": ptr + "/anchor/date_id",
                },
            )
    add_evidence = t.adder("evidence", EVIDENCE_KEYS)
    for ptr, ev in evidence if evidence is not None else iter_evidence(doc):
        add_evidence((ev["article_id"], file, ptr))
    add_flag_ref = t.adder("flag_refs", FLAG_REF_KEYS)
    for section in ("actors", "agreements", "dates"):
        for i, record in records(doc, section):
            for j, flag in enumerate(record.get("flags", ())):
                for k, ref in enumerate(flag.get("related", ())):
                    add_flag_ref((ref, aid, file, f"/{section}/{i}/flags/{j}/related/{k}"))


def _date_row(
    d: dict[str, Any],
    date_id: str,
    aid: str,
    mod: str | None,
    publication_latest: dt.date | None,
    file: str,
    ptr: str,
) -> Row:
    """The row of a date record (or of its correction: *d* is then the correction with the
    record's role) with the bounds its value and *mod* give."""
    parsed = parse_date_value(d["value"])
    low, high, gran = parsed if parsed else (None, None, None)
    expected_low, expected_high = mod_bounds(low, high, mod)
    return {
        "date_id": date_id,
        "article_id": aid,
        "value": d["value"],
        "precision": d["precision"],
        "earliest": iso_date(d["earliest"]),
        "latest": iso_date(d["latest"]),
        "role": d["role"],
        "_value_low": expected_low,
        "_value_high": expected_high,
        "_granularity": gran,
        "_parsed": parsed is not None,
        "_interval_ok": parsed is None or "/" not in d["value"] or _interval_ok(d["value"]),
        "_publication_latest": publication_latest,
        "_file": file,
        "_pointer": ptr,
    }


def mod_bounds(
    low: dt.date | None, high: dt.date | None, mod: str | None
) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day a value spanning *low*..*high* denotes under the TIMEX3
    modifier *mod* (None: unbounded): "by 2045" (ON_OR_BEFORE) ends on 2045-12-31 with no
    first day, "after 2018" (AFTER) starts on 2019-01-01 with no last day; APPROX, START,
    MID and END keep the value's bounds.

    >>> import datetime as dt
    >>> mod_bounds(dt.date(2045, 1, 1), dt.date(2045, 12, 31), "ON_OR_BEFORE")
    (None, datetime.date(2045, 12, 31))
    >>> mod_bounds(dt.date(2018, 1, 1), dt.date(2018, 12, 31), "AFTER")
    (datetime.date(2019, 1, 1), None)
    """
    if low is None or high is None:
        return low, high
    if mod == "BEFORE":
        return None, low - _ONE_DAY
    if mod == "ON_OR_BEFORE":
        return None, high
    if mod == "AFTER":
        return high + _ONE_DAY, None
    if mod == "ON_OR_AFTER":
        return low, None
    return low, high


#: Columns of the rows added as tuples, in their order.
ACTOR_REF_KEYS = ("actor_id", "_file", "_pointer")
PARTY_KEYS = ("agreement_id", "actor_id", "role", "article_id", "_file", "_pointer")
AGREEMENT_DATE_KEYS = ("agreement_id", "date_id", "relation", "article_id", "_file", "_pointer")
EVIDENCE_KEYS = ("article_id", "_file", "_pointer")
FLAG_REF_KEYS = ("record_id", "article_id", "_file", "_pointer")


def records(doc: dict[str, Any], section: str) -> list[tuple[int, dict[str, Any]]]:
    """The records of *section* with their index, skipping those set aside (None)."""
    return [(i, r) for i, r in enumerate(doc[section]) if r is not None]


def _interval_ok(value: str) -> bool:
    a, b = value.split("/")
    pa_, pb = parse_date_value(a), parse_date_value(b)
    return pa_ is None or pb is None or pa_[0] <= pb[0]


__all__ = [
    "FUTURE_ROLES",
    "PROVENANCE",
    "SIGNING_ROLES",
    "Rows",
    "document_rows",
    "iso_date",
    "mod_bounds",
    "records",
    "registry_rows",
]
