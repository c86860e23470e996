"""Benchmark the toolkit on a generated corpus against jsonschema baselines.

``python bench/run.py [--records N] [--seed S] [--out bench/results.json]`` generates a corpus
of N records into ``bench/corpus/`` (see ``bench/generate.py``), then measures, each task in a
fresh subprocess, its wall time, records per second and peak RSS:

(a) ``toolkit validate --root DIR``, the whole dataset;
(b) ``toolkit validate --root DIR FILE`` after one annotation file's note was edited (the
    toolkit still covers the whole dataset, since references cross files, with the result
    cache (a) wrote; it reports only FILE); no row the dataset-wide checks read changes, so
    their findings come from the cache;
(b2) the same after an agreement id was changed in another file: the dataset-wide checks run
    again over all rows;
(c) ``toolkit export --root COPY`` on a copy of the corpus (export validates, then writes);
(d) parse only: ``orjson.loads`` of every annotation file, the parser the toolkit uses (the
    floor);
(e) one reused ``Draft202012Validator`` from the toolkit's offline registry, ``iter_errors``
    over every document (read and parsed too);
(f) ``jsonschema.validate(doc, schema, registry=...)`` per document on a sample (the first 2%
    of the documents), its rate extrapolated to the corpus;
(g) the toolkit's compiled (jsonschema-rs) validator, reused, ``is_valid`` over every document
    (the fast path the toolkit takes for valid documents; left out when not installed);
(h) validation as (a), but with the per-file pass on a Dask ``LocalCluster`` of two worker
    processes started inside the job (its start-up included; left out without distributed);
(i) the export as (c) on the same kind of cluster.

Peak RSS comes from a small wrapper process (``run.py _measure``) that starts the job, waits
for it and reads its own ``getrusage(RUSAGE_CHILDREN).ru_maxrss``: the peak of that one job.
Wall time is measured by the wrapper around the job, so it includes interpreter start-up and
imports; the sampled task (f) is timed inside the job instead, over the sample only. Two extra
rows show the start-up alone: ``toolkit validate`` on a one-article dataset, run twice (the
first run compiles any bytecode missing from the cache); an export of that dataset between them
warms the export's imports too.

When the caller's environment sets ``PYTHONDONTWRITEBYTECODE`` (so that every process would
compile pandas, pandera and polars from source again), the jobs run without it and with
``PYTHONPYCACHEPREFIX`` under the corpus folder: they measure a warm bytecode cache, as an
installed toolkit has, without writing into the virtualenv. ``--no-bytecode-cache`` keeps the
caller's environment as it is.

With the default 100,000 records the whole run takes about 4 minutes on a 2-core machine, a
minute and a half of it the python-jsonschema baseline (e).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import dump_json, generate

REPO = Path(__file__).resolve().parent.parent
DEFAULT_RECORDS = 100_000
SAMPLE_FRACTION = 0.02
#: Records of the one-article dataset that measures start-up and warms the bytecode cache.
WARMUP_RECORDS = 30
MARKER = ".bench-corpus"
PACKAGES = (
    "jsonschema",
    "jsonschema-rs",
    "orjson",
    "referencing",
    "polars",
    "pandera",
    "pyarrow",
    "cnvn-toolkit",
)


@dataclass(frozen=True)
class Task:
    """One measured row: a stable key, its table label and whether it has a record count."""

    key: str
    label: str
    counted: bool = True


TASKS = (
    Task("validate-full", "(a) toolkit validate, full"),
    Task("validate-incremental", "(b) toolkit validate FILE, one file's note edited"),
    Task("validate-incremental-id", "(b2) toolkit validate FILE, one file's agreement id edited"),
    Task("export", "(c) toolkit export, copy of the corpus"),
    Task("parse-only", "(d) orjson.loads of every document"),
    Task("reused-validator", "(e) reused Draft202012Validator.iter_errors"),
    Task("jsonschema-validate-sampled", "(f) jsonschema.validate per document, sampled"),
    Task("compiled-validator", "(g) reused compiled validator (toolkit fast path), is_valid"),
    Task("validate-cluster", "(h) toolkit validate, full, on LocalCluster(2)"),
    Task("export-cluster", "(i) toolkit export, copy of the corpus, on LocalCluster(2)"),
    Task("startup-first", "toolkit validate, one article (start-up), first run", False),
    Task("startup-second", "toolkit validate, one article (start-up), second run", False),
)
#: Rows left out when what they measure is not installed.
OPTIONAL = ("compiled-validator", "validate-cluster", "export-cluster")
REQUIRED = tuple(t.key for t in TASKS if t.counted and t.key not in OPTIONAL)
BASELINES = ("parse-only", "reused-validator", "jsonschema-validate-sampled", "compiled-validator")
CLUSTER = ("validate-cluster", "export-cluster")
#: Each cluster row and the local row it is compared with.
LOCAL_POOL = {"validate-cluster": "validate-full", "export-cluster": "export"}


# ---------------------------------------------------------------------------------------------
# Inside the child processes


def tree_rss_kb(pid: int) -> int | None:
    """Resident memory of process *pid* and all its descendants (kB), from /proc; None where
    there is no /proc. Pages shared between them count once per process (an upper bound)."""
    proc = Path("/proc")
    if not (proc / str(pid)).is_dir():
        return None
    children: dict[int, list[int]] = {}
    for stat_file in proc.glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat_file.parent.name))
    total, todo = 0, [pid]
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    while todo:
        current = todo.pop()
        with contextlib.suppress(OSError, IndexError, ValueError):  # the process ended
            total += int((proc / str(current) / "statm").read_text().split()[1]) * page_kb
        todo.extend(children.get(current, ()))
    return total


def measure(out: Path, command: Sequence[str]) -> int:
    """Run *command*, then write its wall time, peak memory and output tail to *out* (JSON).

    Peak memory is measured two ways: the largest single process (``getrusage``), and the sum
    over the job and its worker processes, sampled every 50 ms from /proc."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(command), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak_tree: int | None = None
    sampler_done = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        while not sampler_done.wait(0.05):
            rss = tree_rss_kb(proc.pid)
            if rss is not None:
                peak_tree = max(peak_tree or 0, rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    sampler_done.set()
    sampler.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    result = {
        "wall_seconds": wall,
        "max_rss_kb": max(usage.ru_maxrss, peak_tree or 0),
        "max_rss_one_process_kb": usage.ru_maxrss,
        "max_rss_tree_kb": peak_tree,
        "user_seconds": usage.ru_utime,
        "system_seconds": usage.ru_stime,
        "returncode": proc.returncode,
        "stdout": proc.stdout[-4000:],
        "stderr": proc.stderr[-4000:],
    }
    out.write_text(json.dumps(result), encoding="utf-8")
    return 0


def _record_count(doc: Any) -> int:
    if not isinstance(doc, dict):
        return 0
    return sum(len(doc.get(k) or ()) for k in ("agreements", "actors", "dates"))


def job(name: str, root: Path, sample: float) -> int:
    """A baseline job: print JSON with documents, records, errors and the timed seconds."""
    annotations = sorted((root / "seeds" / "annotations").glob("*.json"))
    documents = records = errors = 0
    if name == "parse-only":
        import orjson

        start = time.perf_counter()
        for path in annotations:
            doc = orjson.loads(path.read_bytes())
            documents += 1
            records += _record_count(doc)
        seconds = time.perf_counter() - start
    elif name == "reused-validator":
        from toolkit.registry import SchemaRegistry

        start = time.perf_counter()
        validator = SchemaRegistry.load().validator("annotation")
        for path in annotations:
            doc = json.loads(path.read_bytes())
            errors += sum(1 for _ in validator.iter_errors(doc))
            documents += 1
            records += _record_count(doc)
        seconds = time.perf_counter() - start
    elif name == "jsonschema-validate-sampled":
        import jsonschema

        from toolkit.registry import SchemaRegistry

        registry = SchemaRegistry.load()
        schema = registry.schema("annotation")
        checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
        chosen = annotations[: max(1, math.ceil(len(annotations) * sample))]
        start = time.perf_counter()
        for path in chosen:
            doc = json.loads(path.read_bytes())
            try:
                jsonschema.validate(
                    doc, schema, registry=registry.referencing, format_checker=checker
                )
            except jsonschema.ValidationError:
                errors += 1
            documents += 1
            records += _record_count(doc)
        seconds = time.perf_counter() - start
    elif name == "compiled-validator":
        from toolkit.registry import SchemaRegistry

        start = time.perf_counter()
        registry = SchemaRegistry.load()
        fast = getattr(registry, "fast_validator", lambda _name: None)("annotation")
        if fast is None:
            print(json.dumps({"unavailable": True}))
            return 0
        for path in annotations:
            doc = json.loads(path.read_bytes())
            errors += not fast.is_valid(doc)
            documents += 1
            records += _record_count(doc)
        seconds = time.perf_counter() - start
    elif name in CLUSTER:
        return cluster_job(name, root)
    else:
        raise SystemExit(f"unknown job {name!r}")
    print(
        json.dumps(
            {
                "documents": documents,
                "records": records,
                "errors": errors,
                "work_seconds": seconds,
                "of_documents": len(annotations),
            }
        )
    )
    return 0


def cluster_job(name: str, root: Path) -> int:
    """Validate or export *root* with the per-file pass on a LocalCluster of two workers;
    print JSON with the counts, the seconds of the run and of the cluster's start-up."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        print(json.dumps({"unavailable": True}))
        return 0
    from toolkit.check.cluster import cluster_executor, local_cluster
    from toolkit.check.run import validate_dataset
    from toolkit.publish.export import export_dataset

    start = time.perf_counter()
    with local_cluster(2) as address, cluster_executor(address) as executor:
        up = time.perf_counter() - start
        start = time.perf_counter()
        if name == "validate-cluster":
            report = validate_dataset(root, executor=executor).report
        else:
            report = export_dataset(root, executor=executor).report
        seconds = time.perf_counter() - start
    stats = report.stats
    client_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "documents": stats["files"],
                "records": stats["agreements"] + stats["actor_mentions"] + stats["dates"],
                "errors": len(report.findings),
                "work_seconds": seconds,
                "cluster_startup_seconds": up,
                "client_peak_mb": client_kb / 1024,
            }
        )
    )
    return 0 if report.valid else 1


# ---------------------------------------------------------------------------------------------
# The driver


def toolkit_command() -> list[str]:
    """The installed ``toolkit`` script beside this interpreter, else ``python -m toolkit``."""
    script = Path(sys.executable).with_name("toolkit")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "toolkit"]


def child_env(corpus: Path, bytecode_cache: bool) -> tuple[dict[str, str], bool]:
    """The jobs' environment, and whether it was given a bytecode cache of its own: only when
    the caller's environment forbids writing bytecode (``PYTHONDONTWRITEBYTECODE``)."""
    env = dict(os.environ)
    env["TOOLKIT_CACHE_DIR"] = str(corpus / ".toolkit-cache")  # a cold cache on every run
    if bytecode_cache and env.get("PYTHONDONTWRITEBYTECODE"):
        del env["PYTHONDONTWRITEBYTECODE"]
        env["PYTHONPYCACHEPREFIX"] = str(corpus / ".pycache")
        return env, True
    return env, False


def run_measured(command: Sequence[str], work: Path, env: dict[str, str]) -> dict[str, Any]:
    """Run *command* under the measuring wrapper in a fresh process; fail loudly if it fails."""
    out = work / "measure.json"
    out.unlink(missing_ok=True)
    wrapper = [sys.executable, str(Path(__file__).resolve()), "_measure", str(out), "--"]
    subprocess.run([*wrapper, *command], check=True, cwd=REPO, env=env)
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    if result["returncode"] != 0:
        raise RuntimeError(
            f"{' '.join(command)} exited with {result['returncode']}:\n"
            f"{result['stdout']}\n{result['stderr']}"
        )
    return result


def prepare_corpus(corpus: Path) -> None:
    """Empty *corpus* if it is a corpus folder this script made (or absent); refuse otherwise."""
    if corpus.exists():
        if any(corpus.iterdir()) and not (corpus / MARKER).is_file():
            raise SystemExit(f"{corpus} is not empty and was not made by bench/run.py; not removed")
        shutil.rmtree(corpus)
    corpus.mkdir(parents=True)
    (corpus / MARKER).write_text("made by bench/run.py; removed on the next run\n")


def edit_one(dataset: Path, what: str = "note") -> Path:
    """Change one annotation file, keeping it valid, and return its path: its top-level note
    (no row the dataset-wide checks read changes), or with *what* ``"id"`` the id of its first
    agreement (a key changes: the dataset-wide checks run again)."""
    files = sorted((dataset / "seeds" / "annotations").glob("*.json"))
    path = files[len(files) // 2 + (what == "id")]
    doc = json.loads(path.read_bytes())
    if what == "id":
        old = doc["agreements"][0]["agreement_id"]
        renamed = json.loads(json.dumps(doc).replace(f'"{old}"', f'"{old}-renamed"'))
        doc.clear()
        doc.update(renamed)  # the id and every reference to it in the document (flags)
    else:
        doc["notes"] = "Edited for the incremental validation benchmark."
    path.write_bytes(dump_json(doc))
    return path


def machine_info() -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = None
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "packages": versions,
        "commit": commit,
    }


def _ratio(baseline: dict[str, Any] | None, row: dict[str, Any]) -> float | None:
    """How many times longer per record *row* takes than *baseline*."""
    if baseline is None or not row.get("records_per_second"):
        return None
    return float(baseline["records_per_second"]) / float(row["records_per_second"])


def table(rows: list[dict[str, Any]]) -> str:
    """The Markdown table of *rows*."""

    def num(value: float | None, fmt: str) -> str:
        return "–" if value is None else format(value, fmt)

    lines = [
        "| task | records | seconds | records/s | peak MB | ratio vs reused-validator "
        "baseline | ratio vs parse-only |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['label']} | {num(r['records'], ',d')} | {r['seconds']:.2f} | "
            f"{num(r['records_per_second'], ',.0f')} | {r['peak_mb']:.0f} | "
            f"{num(r['ratio_vs_reused_validator'], '.2f')} | "
            f"{num(r['ratio_vs_parse_only'], '.2f')} |"
        )
    return "\n".join(lines)


BEGIN, END = "<!-- BEGIN bench -->\n", "<!-- END bench -->"


def summary(results: dict[str, Any]) -> str:
    """The generated part of ``bench/README.md``: what was measured, where, and the table."""
    corpus, machine = results["corpus"], results["machine"]
    commit = str(machine.get("commit") or "unknown")[:7]
    return (
        f"Run of {results['records']:,} records ({corpus['articles']:,} articles, "
        f"{corpus['evidence']:,} evidence spans), seed {results['seed']}, on "
        f"{machine['platform'].split('-')[0]} {machine['machine']} with "
        f"{machine['cpu_count']} cores, Python {machine['python']}, at commit {commit}. "
        "Ratios are of seconds per record (below 1: faster than the baseline). Peak MB sums "
        "the job and its worker processes.\n\n"
        + table(results["tasks"])
        + "\n"
        + _cluster_line(results)
    )


def _cluster_line(results: dict[str, Any]) -> str:
    """What the cluster rows cost against the local pool, when the run has them."""
    rows = {r["task"]: r for r in results["tasks"]}
    said = []
    for key, what in (("validate-cluster", "validation (h/a)"), ("export-cluster", "export (i/c)")):
        row = rows.get(key)
        if row is None or row.get("ratio_vs_local_pool") is None:
            continue
        work = row["records"] / row["work_seconds"] / 2 if row.get("work_seconds") else None
        said.append(
            f"{what} {row['ratio_vs_local_pool']:.2f}× the local pool's time, "
            f"{row['cluster_startup_seconds']:.1f} s of it the cluster's start-up"
            + (f", {work:,.0f} records/s per worker in the run" if work else "")
            + (
                f", the client's own peak {row['client_peak_mb']:.0f} MB"
                if row.get("client_peak_mb")
                else ""
            )
        )
    if not said:
        return ""
    return "\nOn LocalCluster(2), on the same 2 cores: " + "; ".join(said) + ".\n"


def render_docs(text: str, results: dict[str, Any]) -> str:
    """*text* with its bench block replaced by :func:`summary` of *results*."""
    start = text.index(BEGIN) + len(BEGIN)
    return text[:start] + summary(results) + text[text.index(END, start) :]


def docs(check: bool, readme: Path = REPO / "bench" / "README.md") -> int:
    """Write (or with *check*, compare) the bench block of *readme* from bench/results.json."""
    results = json.loads((REPO / "bench" / "results.json").read_text("utf-8"))
    text = readme.read_text("utf-8")
    new = render_docs(text, results)
    if new == text:
        return 0
    if check:
        print(f"{readme.relative_to(REPO)} is stale: run `make docs`", file=sys.stderr)
        return 1
    readme.write_text(new, "utf-8")
    return 0


def benchmark(
    records: int, seed: int, out: Path, corpus: Path, bytecode_cache: bool = True
) -> dict[str, Any]:
    """Generate the corpus, run every task, write *out* and return the results."""
    corpus = corpus.resolve()
    prepare_corpus(corpus)
    dataset = corpus / "dataset"
    start = time.perf_counter()
    summary = generate(records, seed, dataset)
    generate_seconds = time.perf_counter() - start
    print(
        f"generated {summary['articles']:,} articles, {records:,} records "
        f"({summary['evidence']:,} evidence spans) in {generate_seconds:.1f}s into {dataset}",
        flush=True,
    )
    export_copy = corpus / "export-copy"
    shutil.copytree(dataset / "seeds", export_copy / "seeds")
    tiny = corpus / "tiny"
    generate(WARMUP_RECORDS, seed, tiny)
    # the corpus and its copy are gigabytes of dirty pages: written back now, not by the
    # kernel's flusher threads while the first tasks are timed
    sync_start = time.perf_counter()
    if hasattr(os, "sync"):
        os.sync()
    print(f"  synced the corpus to disk in {time.perf_counter() - sync_start:.1f}s", flush=True)
    env, own_cache = child_env(corpus, bytecode_cache)
    tk = toolkit_command()
    me = [sys.executable, str(Path(__file__).resolve()), "_job"]
    raw: dict[str, dict[str, Any]] = {}

    def step(key: str, command: list[str]) -> None:
        print(f"  {key} ...", end="", flush=True)
        raw[key] = run_measured(command, corpus, env)
        print(f" {raw[key]['wall_seconds']:.1f}s", flush=True)

    step("startup-first", [*tk, "validate", "--no-cache", "--root", str(tiny)])
    run_measured([*tk, "export", "--root", str(tiny)], corpus, env)
    step("startup-second", [*tk, "validate", "--no-cache", "--root", str(tiny)])
    step("validate-full", [*tk, "validate", "--root", str(dataset)])
    edited = edit_one(dataset)
    step("validate-incremental", [*tk, "validate", "--root", str(dataset), str(edited)])
    edited = edit_one(dataset, "id")
    step("validate-incremental-id", [*tk, "validate", "--root", str(dataset), str(edited)])
    step("export", [*tk, "export", "--root", str(export_copy)])
    for key in BASELINES:
        step(key, [*me, key, str(dataset), "--sample", str(SAMPLE_FRACTION)])
    step("validate-cluster", [*me, "validate-cluster", str(dataset)])
    step("export-cluster", [*me, "export-cluster", str(export_copy)])

    rows: list[dict[str, Any]] = []
    for task in TASKS:
        m = raw[task.key]
        if task.key in OPTIONAL and '"unavailable"' in m["stdout"]:
            continue
        row: dict[str, Any] = {
            "task": task.key,
            "label": task.label,
            "wall_seconds": m["wall_seconds"],
            "user_seconds": m["user_seconds"],
            "system_seconds": m["system_seconds"],
            "peak_mb": m["max_rss_kb"] / 1024,
            "sampled": False,
        }
        info: dict[str, Any] = {}
        if task.key in BASELINES:
            info = json.loads(m["stdout"].strip().splitlines()[-1])
            row["work_seconds"] = info["work_seconds"]
            row["documents"] = info["documents"]
            row["schema_errors"] = info["errors"]
        if task.key in CLUSTER:
            info = json.loads(m["stdout"].strip().splitlines()[-1])
            row["work_seconds"] = info["work_seconds"]
            row["cluster_startup_seconds"] = info["cluster_startup_seconds"]
            row["client_peak_mb"] = info.get("client_peak_mb")
        if task.key == "jsonschema-validate-sampled":
            row.update(
                sampled=True,
                records=info["records"],
                seconds=info["work_seconds"],
                sample_fraction=SAMPLE_FRACTION,
                of_documents=info["of_documents"],
            )
            row["label"] += f" ({info['documents']} of {info['of_documents']} documents)"
        else:
            row["records"] = records if task.counted else None
            row["seconds"] = m["wall_seconds"]
        row["records_per_second"] = (
            row["records"] / row["seconds"] if row["records"] and row["seconds"] > 0 else None
        )
        if row["sampled"] and row["records_per_second"]:
            row["extrapolated_seconds"] = records / row["records_per_second"]
        rows.append(row)
    by_key = {r["task"]: r for r in rows}
    for row in rows:
        row["ratio_vs_reused_validator"] = _ratio(by_key["reused-validator"], row)
        row["ratio_vs_parse_only"] = _ratio(by_key["parse-only"], row)
    for key, local in LOCAL_POOL.items():
        if key in by_key:
            by_key[key]["ratio_vs_local_pool"] = _ratio(by_key[local], by_key[key])

    notes = [
        "seconds: wall time of the whole subprocess (interpreter start-up and imports "
        "included), except the sampled row (f), timed inside the job over its sample only.",
        "ratio: seconds per record of the task divided by seconds per record of the baseline "
        "(2.0 = twice as slow).",
        "(a) runs with no result cache yet and writes one (in the corpus folder, through "
        "TOOLKIT_CACHE_DIR); "
        "(b) then edits one file's note and passes it: that file is checked again, the "
        "others' results and rows come from the cache, and since no row the dataset-wide "
        "checks read changed, their findings come from the cache too (located again); "
        "(b2) then changes an agreement id in another file: the dataset-wide checks run "
        "again over all rows.",
        "peak MB: the largest sum of resident memory over the job and its worker processes "
        "(sampled every 50 ms; pages they share count once per process), or the largest "
        "single process if that is more.",
        "The generated corpus is synced to disk before the first task, so that no task "
        "pays for writing it back.",
        "(d)-(g) read and parse every file they check; (e)-(g) validate the annotation "
        "schema with format checking, like the toolkit.",
        "(h) and (i) start a LocalCluster of two single-threaded worker processes inside the "
        "job (cluster_startup_seconds) and run (a) and (c) with the per-file pass on it "
        "(work_seconds: the run alone); their seconds are the whole job's, like (a) and (c).",
    ]
    if own_cache:
        notes.append(
            "PYTHONDONTWRITEBYTECODE is set here, so the jobs ran with a bytecode cache under "
            "the corpus folder (PYTHONPYCACHEPREFIX); the first start-up row compiled it."
        )
    results: dict[str, Any] = {
        "records": records,
        "seed": seed,
        "default_records": DEFAULT_RECORDS,
        "machine": machine_info(),
        "corpus": {k: v for k, v in summary.items() if k != "plantings"},
        "generate_seconds": generate_seconds,
        "own_bytecode_cache": own_cache,
        "sample_fraction": SAMPLE_FRACTION,
        "tasks": rows,
        "notes": notes,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return results


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_measure"]:
        if len(argv) < 4 or argv[2] != "--":
            raise SystemExit("usage: run.py _measure OUT.json -- COMMAND...")
        return measure(Path(argv[1]), argv[3:])
    if argv[:1] == ["docs"]:
        return docs(check="--check" in argv)
    if argv[:1] == ["_job"]:
        parser = argparse.ArgumentParser(prog="run.py _job")
        parser.add_argument("name")
        parser.add_argument("root", type=Path)
        parser.add_argument("--sample", type=float, default=SAMPLE_FRACTION)
        args = parser.parse_args(argv[1:])
        return job(args.name, args.root, args.sample)

    parser = argparse.ArgumentParser(
        description="Benchmark toolkit validate/export against jsonschema baselines."
    )
    parser.add_argument(
        "--records",
        type=int,
        default=DEFAULT_RECORDS,
        help=f"records in the generated corpus (default {DEFAULT_RECORDS:,})",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results.json")
    parser.add_argument(
        "--corpus",
        type=Path,
        default=REPO / "bench" / "corpus",
        help="folder for the generated corpus (emptied first; default bench/corpus)",
    )
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="run the jobs with the caller's environment as it is",
    )
    args = parser.parse_args(argv)
    if args.records < 1:
        parser.error("--records must be at least 1")
    results = benchmark(
        args.records, args.seed, args.out, args.corpus, bytecode_cache=not args.no_bytecode_cache
    )
    machine = results["machine"]
    print()
    print(
        f"N = {args.records:,} records, seed {args.seed}; {machine['platform']}, "
        f"{machine['cpu_count']} CPUs, Python {machine['python']}"
    )
    print()
    print(table(results["tasks"]))
    print(_cluster_line(results).strip())
    print()
    for note in results["notes"]:
        print(f"- {note}")
    sampled = next(r for r in results["tasks"] if r["sampled"])
    if sampled.get("extrapolated_seconds"):
        print(
            f"- (f) is sampled: {sampled['documents']} of {sampled['of_documents']} documents; "
            f"extrapolated to the corpus it would take {sampled['extrapolated_seconds']:.1f}s."
        )
    if args.out.resolve() == (REPO / "bench" / "results.json").resolve():
        docs(check=False)
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
