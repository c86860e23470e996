"""The seed articles are the shared files, byte for byte, and their ids come from file names."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from conftest import REPO, SHARED_SEEDS
from toolkit.dataset import Dataset, article_id_from_filename
from toolkit.errors import ArticleNotFound

ARTICLES = REPO / "seeds" / "articles"


def _manifest(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        out[name.lstrip("*")] = digest
    return out


def _digests() -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(ARTICLES.glob("*.txt"))
    }


def test_articles_match_the_repository_manifest() -> None:
    manifest = _manifest(ARTICLES / "SHA256SUMS")
    assert len(manifest) == 5
    assert _digests() == manifest


@pytest.mark.skipif(not (SHARED_SEEDS / "SHA256SUMS").is_file(), reason="../shared absent")
def test_articles_match_the_shared_seeds() -> None:
    assert _digests() == _manifest(SHARED_SEEDS / "SHA256SUMS")
    for name in _digests():
        assert (ARTICLES / name).read_bytes() == (SHARED_SEEDS / name).read_bytes()


def test_article_ids_derive_from_file_names() -> None:
    ids = Dataset.at(REPO).article_ids()
    assert ids == [article_id_from_filename(p.name) for p in sorted(ARTICLES.glob("*.txt"))]
    assert ids[0] == "000_c9643dd3023e532a"
    with pytest.raises(ArticleNotFound):
        article_id_from_filename("notes.txt")
