"""Find a quote's offsets in an article: ``toolkit locate``."""

from __future__ import annotations

from toolkit.dataset import LISTED, Dataset, read_article
from toolkit.errors import QuoteAmbiguous, QuoteNotFound
from toolkit.text import Span, occurrences


def locate(dataset: Dataset, article_id: str, quote: str) -> Span:
    """The one place *quote* occurs in the article.

    :raises QuoteNotFound: when it does not occur.
    :raises QuoteAmbiguous: when it occurs more than once; the message lists every occurrence.

    >>> locate(Dataset.at("."), "003_ca5597f59c992008", "Pham Minh Chinh").start
    1125
    """
    text = read_article(dataset.article_path(article_id))
    spans = occurrences(text, quote)
    if not spans:
        raise QuoteNotFound(
            f"{quote!r} does not occur in {article_id}; quotes must match the text exactly, "
            "including curly quotes (’ “ ”) and non-breaking spaces"
        )
    if len(spans) > 1:
        listed = "; ".join(
            f"{s.start}-{s.end} (line {s.line}, col {s.column})" for s in spans[:LISTED]
        )
        if len(spans) > LISTED:
            listed += f"; and {len(spans) - LISTED} more"
        raise QuoteAmbiguous(
            f"{quote!r} occurs {len(spans)} times in {article_id}: {listed}; "
            "lengthen the quote until it is unique"
        )
    return spans[0]
