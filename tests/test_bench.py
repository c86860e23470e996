"""The benchmark corpus generator (bench/generate.py) and runner (bench/run.py): generated
datasets validate cleanly, are reproducible from their seed, planted errors are all reported,
and the runner measures every task end to end."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, folder_bytes
from toolkit.check.rule_codes import rule_codes
from toolkit.check.run import validate_dataset

try:
    from bench.generate import MASKING_CODES, article_ids, generate, plantable_codes
except ModuleNotFoundError:
    sys.path.insert(0, str(REPO))
    from bench.generate import MASKING_CODES, article_ids, generate, plantable_codes

SIX_TASKS = (
    "validate-full",
    "validate-incremental",
    "export",
    "parse-only",
    "reused-validator",
    "jsonschema-validate-sampled",
)


def test_generated_dataset_validates_without_findings(tmp_path: Path) -> None:
    root = tmp_path / "ds"
    summary = generate(300, 7, root)
    report = validate_dataset(root).report
    assert report.valid, report.flatten()
    assert report.findings == ()
    stats = report.stats
    assert stats["agreements"] + stats["actor_mentions"] + stats["dates"] == 300
    assert summary["records"] == 300
    assert summary["articles"] == stats["articles"] == len(list(root.glob("seeds/articles/*")))
    assert summary["evidence"] == stats["evidence"]
    assert summary["actors"] == stats["actors"]
    assert summary["planted"] == {}
    for path in root.glob("seeds/annotations/*.json"):
        doc = json.loads(path.read_bytes())
        assert 20 <= len(doc["agreements"]) + len(doc["actors"]) + len(doc["dates"]) <= 40


def test_article_ids_stay_distinct_past_a_thousand_articles() -> None:
    ids = article_ids(2500, 0)
    assert len(set(ids)) == 2500
    assert all(re.fullmatch(r"[0-9]{3}_[0-9a-f]{16}", i) for i in ids)
    assert ids[1000].startswith("000_") and ids[1000] != ids[0]


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    generate(300, 11, tmp_path / "a")
    generate(300, 11, tmp_path / "b")
    generate(300, 12, tmp_path / "c")
    a, b, c = (folder_bytes(tmp_path / name) for name in "abc")
    assert a == b
    assert a.keys() != c.keys()
    assert a["seeds/actors.json"] != c["seeds/actors.json"]


def test_generate_refuses_an_existing_dataset(tmp_path: Path) -> None:
    generate(30, 1, tmp_path)
    with pytest.raises(FileExistsError):
        generate(30, 1, tmp_path)


def test_every_planted_error_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "ds"
    summary = generate(1500, 3, root, invalid_fraction=0.8)
    planted = set(summary["planted"])
    assert planted == set(plantable_codes()) - {"actor-unmentioned"}
    assert set(summary["not_planted"]) == {"actor-unmentioned"}
    assert planted & MASKING_CODES
    report = validate_dataset(root).report
    assert not report.valid
    codes = {f.code for f in report.findings}
    assert planted <= codes
    assert codes == planted
    located = {(f.file, f.code) for f in report.findings}
    for planting in summary["plantings"]:
        assert (planting["file"], planting["code"]) in located, planting
    assert sum(summary["planted"].values()) == len(summary["plantings"])


def test_actor_unmentioned_is_planted_when_it_can_be_seen(tmp_path: Path) -> None:
    root = tmp_path / "ds"
    wanted = ["actor-unmentioned", "country-code-invalid", "reference-unresolved"]
    summary = generate(600, 5, root, invalid_fraction=0.5, codes=wanted)
    assert set(summary["planted"]) == set(wanted)
    findings = validate_dataset(root).report.findings
    assert {f.code for f in findings} == set(wanted)
    unmentioned = [f for f in findings if f.code == "actor-unmentioned"]
    assert [f.severity for f in unmentioned] == [rule_codes()["actor-unmentioned"].severity.value]


def test_actor_unmentioned_with_a_masking_code_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="actor-unmentioned"):
        generate(600, 5, tmp_path, 0.5, codes=["actor-unmentioned", "json-syntax"])
    assert not (tmp_path / "seeds").exists()


@pytest.mark.slow
def test_run_measures_every_task(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "run.py"),
            "--records",
            "300",
            "--seed",
            "2",
            "--out",
            str(out),
            "--corpus",
            str(tmp_path / "corpus"),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "| task | records | seconds | records/s | peak MB |" in proc.stdout
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["records"] == 300 and results["seed"] == 2
    assert results["machine"]["cpu_count"] and results["machine"]["python"]
    tasks = {t["task"]: t for t in results["tasks"]}
    assert set(SIX_TASKS) <= set(tasks)
    for key in SIX_TASKS:
        task = tasks[key]
        assert task["records"] > 0, key
        assert task["seconds"] > 0, key
        assert task["records_per_second"] > 0, key
        assert task["peak_mb"] > 0, key
    assert tasks["jsonschema-validate-sampled"]["sampled"] is True
    for key in ("validate-cluster", "export-cluster"):  # the cluster extra is in the dev lock
        assert tasks[key]["records"] == 300 and tasks[key]["work_seconds"] > 0, key
        assert tasks[key]["ratio_vs_local_pool"] > 0 and tasks[key]["client_peak_mb"] > 0, key
    assert "On LocalCluster(2), on the same 2 cores: validation (h/a)" in proc.stdout
    assert tasks["reused-validator"]["ratio_vs_reused_validator"] == pytest.approx(1.0)
    assert tasks["parse-only"]["ratio_vs_parse_only"] == pytest.approx(1.0)
    assert (tmp_path / "corpus" / "export-copy" / "exports" / "parquet").is_dir()
