"""What the canonical page compares: each article's report of an agreement that carries a
canonical key (status, factuality, trigger, quotes, relations), read from the document as it
is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from toolkit.review.model import items, show


@dataclass(frozen=True)
class AgreementReport:
    """One article's report of one agreement, as the canonical page compares them."""

    canonical_key: str
    article_id: str
    pointer: str
    agreement_id: str
    title: str
    status: str
    factuality: str
    trigger: str | None
    quotes: tuple[str, ...]
    relations: tuple[tuple[str, str], ...]


def agreement_reports(article_id: str, doc: Any) -> list[AgreementReport]:
    """The agreements of *doc* that carry a canonical key, as the canonical page shows them."""
    out = []
    agreements = doc.get("agreements") if isinstance(doc, dict) else None
    for i, a in enumerate(items(agreements)):
        if not isinstance(a, dict) or not isinstance(a.get("canonical_key"), str):
            continue
        trigger = a.get("trigger")
        quotes = [ev.get("quote") for ev in items(a.get("evidence")) if isinstance(ev, dict)]
        rels = [
            (show(r.get("relation")), show(r.get("canonical_key")))
            for r in items(a.get("relations"))
            if isinstance(r, dict)
        ]
        out.append(
            AgreementReport(
                a["canonical_key"],
                article_id,
                f"/agreements/{i}",
                show(a.get("agreement_id")),
                show(a.get("title_as_reported", "")),
                show(a.get("status")),
                show(a.get("factuality")),
                show(trigger.get("quote")) if isinstance(trigger, dict) else None,
                tuple(show(q) for q in quotes),
                tuple(rels),
            )
        )
    return out
