"""Find a quote's offsets in an article: ``toolkit locate``."""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.dataset import LISTED, Dataset, read_article
from toolkit.errors import QuoteAmbiguous, QuoteNotFound
from toolkit.text import Span, occurrences


@dataclass(frozen=True)
class Pick:
    """Which occurrence of a quote is meant: the *occurrence*-th (1-based), the first that
    starts at or after offset *after*, or the one inside the unique occurrence of a longer
    *within* context. Any of them may be combined; none means the quote must be unique."""

    occurrence: int | None = None
    after: int | None = None
    within: str | None = None

    @property
    def any(self) -> bool:
        return self.occurrence is not None or self.after is not None or self.within is not None


def locate_all(dataset: Dataset, article_id: str, quote: str) -> list[Span]:
    """Every place *quote* occurs in the article, in text order (none: an empty list).

    >>> [s.start for s in locate_all(Dataset.at("."), "003_ca5597f59c992008", "Xi")]
    [219, 268, 1158, 1233, 1650]
    """
    return occurrences(read_article(dataset.article_path(article_id)), quote)


def locate(dataset: Dataset, article_id: str, quote: str, pick: Pick | None = None) -> Span:
    """The one place *quote* occurs in the article, or the one *pick* selects.

    :raises QuoteNotFound: when it does not occur (where *pick* says, or at all).
    :raises QuoteAmbiguous: when it occurs more than once and *pick* does not say which; the
        message lists every occurrence and how to pick one.

    >>> locate(Dataset.at("."), "003_ca5597f59c992008", "Pham Minh Chinh").start
    1125
    >>> locate(Dataset.at("."), "003_ca5597f59c992008", "Xi", Pick(occurrence=2)).start
    268
    >>> locate(Dataset.at("."), "003_ca5597f59c992008", "Xi", Pick(after=1000)).start
    1158
    """
    text = read_article(dataset.article_path(article_id))
    spans = occurrences(text, quote)
    if not spans:
        raise QuoteNotFound(
            f"{quote!r} does not occur in {article_id}; quotes must match the text exactly, "
            "including curly quotes (’ “ ”) and non-breaking spaces"
        )
    pick = pick or Pick()
    chosen = _picked(text, article_id, quote, spans, pick)
    if len(chosen) > 1 or (not pick.any and len(spans) > 1):
        listed = "; ".join(
            f"#{spans.index(s) + 1} {s.start}-{s.end} (line {s.line}, col {s.column})"
            for s in chosen[:LISTED]
        )
        if len(chosen) > LISTED:
            listed += f"; and {len(chosen) - LISTED} more"
        raise QuoteAmbiguous(
            f"{quote!r} occurs {len(chosen)} times in {article_id}: {listed}; pick one with "
            "--occurrence N, --after OFFSET or --within 'a longer passage', or lengthen the "
            "quote (--all lists them as JSON lines)"
        )
    return chosen[0]


def _picked(text: str, article_id: str, quote: str, spans: list[Span], pick: Pick) -> list[Span]:
    """The occurrences of *spans* that *pick* allows (all of them when it says nothing)."""
    chosen = spans
    if pick.within is not None:
        contexts = occurrences(text, pick.within)
        if len(contexts) != 1:
            where = "does not occur" if not contexts else f"occurs {len(contexts)} times"
            raise (QuoteNotFound if not contexts else QuoteAmbiguous)(
                f"the context {pick.within!r} {where} in {article_id}; it must occur once"
            )
        start, end = contexts[0].start, contexts[0].end
        chosen = [s for s in chosen if start <= s.start and s.end <= end]
    if pick.after is not None:
        chosen = [s for s in chosen if s.start >= pick.after][:1]
    if pick.occurrence is not None:
        if not 1 <= pick.occurrence <= len(chosen):
            raise QuoteNotFound(
                f"{quote!r} has no occurrence #{pick.occurrence} in {article_id}"
                + (" there" if pick.within or pick.after is not None else "")
                + f" (it has {len(chosen)})"
            )
        chosen = [chosen[pick.occurrence - 1]]
    if not chosen:
        raise QuoteNotFound(f"{quote!r} does not occur in {article_id} where asked")
    return chosen
