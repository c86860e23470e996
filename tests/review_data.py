"""Datasets the review tests build in tmp folders: an article whose text has characters
outside the Basic Multilingual Plane before its spans, a carriage return, and a quote that
holds ``</script>`` and an ``<img onerror>`` tag; and a seed document given a trigger (a
1.1.0 field the 1.0.0 schema refuses) and a quote at wrong offsets."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from toolkit.cli import cli

HOSTILE_ID = "905_00000000000000e1"
HOSTILE_QUOTE = "signed a pact “</script><img src=x onerror=alert(1)>” on rail links"
HOSTILE_TEXT = f"😀𠀀 Leaders meet\n\nHanoi — China and Vietnam {HOSTILE_QUOTE}.\r\nEnd 𠀁.\n"
#: The seed document given a trigger and a moved quote, and the agreement it changes.
BROKEN_ID = "003_ca5597f59c992008"
TRIGGER_QUOTE = "agreed"


def _cli(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _evidence(root: Path, article_id: str, quote: str) -> dict[str, Any]:
    start, end = map(int, _cli("locate", article_id, quote, "--root", str(root)).split())
    return {"article_id": article_id, "quote": quote, "start": start, "end": end}


def add_hostile_article(root: Path) -> Path:
    """Add :data:`HOSTILE_ID` to the dataset at *root* with a valid annotation written with
    ``toolkit new`` and ``toolkit locate``; return the annotation's path."""
    (root / "seeds" / "articles" / f"{HOSTILE_ID}.txt").write_bytes(HOSTILE_TEXT.encode())
    path = root / _cli("new", HOSTILE_ID, "--root", str(root), "--annotator", "t").strip()
    doc = json.loads(path.read_text("utf-8"))
    doc["source"]["title"] = {
        "text": "Leaders meet",
        "assigned": False,
        "evidence": [_evidence(root, HOSTILE_ID, "Leaders meet")],
    }
    doc["actors"] = [
        {
            "actor_id": actor,
            "names_as_written": [name],
            "evidence": [_evidence(root, HOSTILE_ID, name)],
        }
        for actor, name in (("act-china", "China"), ("act-vietnam", "Vietnam"))
    ]
    doc["agreements"] = [
        {
            "agreement_id": "agr-905-rail",
            "title_as_reported": "a pact on rail links",
            "instrument_type": "agreement",
            "status": "signed",
            "factuality": "asserted",
            "parties": [
                {"actor_id": "act-china", "role": "party"},
                {"actor_id": "act-vietnam", "role": "party"},
            ],
            "sectors": ["transport"],
            "canonical_key": "cn-vn-2023-rail-link-pacts",
            "evidence": [_evidence(root, HOSTILE_ID, HOSTILE_QUOTE)],
        }
    ]
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), "utf-8")
    return path


def break_document(root: Path) -> dict[str, Any]:
    """Give the first agreement of :data:`BROKEN_ID` another trigger and a relation of a kind
    the schema does not know (which sets the record aside as schema-invalid), and move the
    first quote of the second one character on; return the first agreement as written."""
    path = root / "seeds" / "annotations" / f"{BROKEN_ID}.json"
    doc = json.loads(path.read_text("utf-8"))
    agreement = doc["agreements"][0]
    text = (root / "seeds" / "articles" / f"{BROKEN_ID}.txt").read_text("utf-8")
    ev = agreement["evidence"][0]
    at = text.index(TRIGGER_QUOTE, ev["start"])
    agreement["trigger"] = {
        "article_id": BROKEN_ID,
        "quote": TRIGGER_QUOTE,
        "start": at,
        "end": at + len(TRIGGER_QUOTE),
    }
    agreement["relations"] = [
        {"relation": "merged_into", "canonical_key": "cn-vn-2023-cooperation-pacts"}
    ]
    moved = doc["agreements"][1]["evidence"][0]
    moved["start"] += 1
    moved["end"] += 1
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), "utf-8")
    return agreement


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout
