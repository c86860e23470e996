"""Generated docs are fresh: the codebook's field tables, the README's rule table and CLI
reference."""

from __future__ import annotations

from conftest import REPO
from toolkit.docs import DOCUMENTS, blocks, render


def test_generated_docs_are_up_to_date() -> None:
    generated = blocks()
    for path in DOCUMENTS:
        text = path.read_text(encoding="utf-8")
        assert render(text, generated) == text, f"{path.name} is stale: run `make docs`"


def test_codebook_has_a_field_table_for_every_record_type() -> None:
    codebook = (REPO / "schemas" / "README.md").read_text("utf-8")
    for name in (
        "annotation",
        "source",
        "agreement",
        "actor",
        "actor_mention",
        "date",
        "evidence",
        "actor_registry",
    ):
        assert f"<!-- BEGIN fields:{name} -->\n| field |" in codebook, name


def test_readme_starts_with_the_two_commands() -> None:
    lines = (REPO / "README.md").read_text("utf-8").splitlines()
    block = lines[lines.index("```sh") + 1 : lines.index("```sh") + 3]
    assert block[0].startswith("make export") and block[1].startswith("make test")


def test_readme_stays_within_8_kb() -> None:
    assert len((REPO / "README.md").read_bytes()) <= 8192


def test_every_test_the_hardening_page_names_exists() -> None:
    import re

    page = (REPO / "docs" / "hardening.md").read_text("utf-8")
    named = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", page)
    assert len(named) >= 10
    for path, test in named:
        source = (REPO / path).read_text("utf-8")
        assert not test or f"def {test}(" in source, f"{path}::{test}"
