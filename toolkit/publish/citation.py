"""How the dataset is cited and under what terms it is published: ``CITATION.cff`` at the
dataset's root (the Citation File Format, which GitHub and Zenodo read) gives the card's
citation and Croissant's ``citeAs`` and ``creator``; ``LICENSE.md`` in the exports states the
terms of the annotations and, apart, of the third-party article texts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: The citation file, relative to the dataset's root.
CITATION = "CITATION.cff"
#: Who is credited when the dataset has no citation file.
DEFAULT_CREATOR = "cnvn-state-visit-2023 contributors"


@dataclass(frozen=True)
class Citation:
    """What a citation of the dataset says. *authors* are CFF author entries: a person
    (``given-names``, ``family-names``) or an entity (``name``)."""

    key: str
    title: str
    version: str
    url: str
    authors: tuple[dict[str, str], ...]
    date_released: str | None = None
    doi: str | None = None

    def names(self) -> list[str]:
        """Each author as written in a reference: "Family, Given" or the entity's name."""
        out = []
        for a in self.authors:
            if "family-names" in a:
                out.append(", ".join(filter(None, (a["family-names"], a.get("given-names")))))
            else:
                out.append(a.get("name", ""))
        return out

    def bibtex(self) -> str:
        """The BibTeX entry (``@misc``) of the dataset."""
        authors = " and ".join(
            n if "family-names" in a else "{" + n + "}"
            for n, a in zip(self.names(), self.authors, strict=True)
        )
        fields = [
            ("title", "{" + self.title + "}"),
            ("author", authors),
            ("year", self.date_released[:4] if self.date_released else None),
            ("version", self.version),
            ("doi", self.doi),
            ("url", self.url),
            ("note", "Dataset"),
        ]
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields if v)
        return f"@misc{{{self.key},\n{body}\n}}"

    def creators(self) -> list[dict[str, Any]]:
        """The authors as schema.org Person or Organization objects (Croissant ``creator``)."""
        out: list[dict[str, Any]] = []
        for a in self.authors:
            if "family-names" in a:
                person: dict[str, Any] = {
                    "@type": "sc:Person",
                    "name": " ".join(filter(None, (a.get("given-names"), a["family-names"]))),
                }
                if a.get("orcid"):
                    person["identifier"] = a["orcid"]
                out.append(person)
            else:
                out.append({"@type": "sc:Organization", "name": a.get("name", ""), "url": self.url})
        return out


def load_citation(text: str | None, meta: dict[str, str]) -> Citation:
    """The citation of a dataset whose ``CITATION.cff`` holds *text* (title, authors, DOI),
    with the version and release date of *meta* (``seeds/dataset.json``), which the export
    publishes; one made of *meta* alone when it has none (*text* None)."""
    cff: dict[str, Any] = {}
    if text is not None:
        import yaml

        cff = yaml.safe_load(text) or {}
    authors = tuple({k: str(v) for k, v in a.items()} for a in cff.get("authors", ())) or (
        {"name": meta.get("creator", DEFAULT_CREATOR)},
    )
    return Citation(
        key=meta["name"],
        title=str(cff.get("title", meta["title"])),
        version=meta["version"],
        url=str(cff.get("url", meta["url"])),
        authors=authors,
        date_released=meta.get("date_published") or _text(cff.get("date-released")),
        doi=_text(cff.get("doi")),
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def terms(meta: dict[str, str], citation: Citation) -> str:
    """``LICENSE.md``: the licence of the annotations, and apart, the terms under which the
    third-party article texts are included."""
    return f"""# Terms of use

## The annotations: {meta["license_name"]}

The annotations and everything built from them in this folder (the tables, `json/annotations.json`,
the metadata) are licensed under [{meta["license_name"]}]({meta["license"]}). Cite the dataset
as:

```bibtex
{citation.bibtex()}
```

## The article texts: third-party, no licence granted

The `text` column of the `articles` table (`parquet/articles/`, `json/articles/`) holds the news
articles the annotations describe, exactly as they were collected. They are third-party texts:
their rights stay with their publishers and authors, and this dataset claims and grants no
licence for them. They are included so that every quote can be checked against the text it
comes from, at its offsets. The quotes inside the annotations (`quote`, `prefix`, `suffix`,
`trigger_quote`, `title_as_reported`, `names_as_written`, the dates' `text`) are excerpts of
those texts under the same terms: the licence above covers the annotation, not the words
quoted.

A publisher or author who wants a text removed can ask the maintainers ({meta["url"]}): it is
taken out of the next release.
"""
