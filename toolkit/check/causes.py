"""One cause, one finding: references left dangling by one fault of the actor registry are
reported once, at the registry, with their count, instead of once per reference.

Two faults leave many references dangling: a registry entry that breaks its schema (set aside,
so every reference to its id would name no actor) and an actor removed from the registry (or
renamed) while documents still name it. A reference to an unknown actor from one file only is
more likely a typo there, and keeps its own finding.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from toolkit.check.strict_json import Loaded
from toolkit.dataset import listing
from toolkit.findings import Finding

#: The hint of a finding for an actor that references name but the registry lacks.
REMOVED_HINT = (
    "Add the actor back to seeds/actors.json (was it removed or renamed?), or change each "
    "reference to an actor of the registry."
)


@dataclass
class Causes:
    """What :func:`one_cause` decided: the references no longer reported one by one, the
    findings that report them at their cause, and for each such finding the files whose
    references it stands for (so a run with paths shows it for those files)."""

    dropped: set[tuple[str, str]] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    related: dict[Finding, set[str]] = field(default_factory=dict)


def dangling_actor_refs(frames: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """actor id -> the (file, pointer) of every reference naming it, for each id that no
    actor row of the registry has, sorted."""
    import polars as pl

    refs, actors = frames.get("actor_refs"), frames.get("actors")
    if refs is None or not refs.height:
        return {}
    known = actors["actor_id"].unique().implode() if actors is not None else pl.Series([])
    missing = refs.filter(~pl.col("actor_id").is_in(known)).select(
        "actor_id", pl.col("_file").cast(pl.String), "_pointer"
    )
    out: dict[str, list[tuple[str, str]]] = {}
    for actor_id, file, pointer in missing.sort("actor_id", "_file", "_pointer").iter_rows():
        out.setdefault(actor_id, []).append((file, pointer))
    return out


def one_cause(registry: Loaded | None, frames: dict[str, Any]) -> Causes:
    """The references to report at their cause in *registry* (the actor registry as loaded,
    its records set aside in ``dropped_at``); nothing when there is no usable registry."""
    causes = Causes()
    if registry is None or not registry.ok:
        return causes
    for actor_id, where in dangling_actor_refs(frames).items():
        files = sorted({file for file, _ in where})
        record = registry.dropped_at.get(actor_id)
        if record is None and len(files) < 2:
            continue
        causes.dropped.update(where)
        counted = f"{len(where)} reference(s) in {len(files)} file(s) ({listing(files, 3)})"
        if record is not None:
            _amend(registry, record, actor_id, counted, causes, set(files))
            continue
        finding = registry.finding(
            "reference-unresolved",
            f"actor {actor_id} is not in the registry, yet {counted} name it; "
            f"the first: {where[0][0]} {where[0][1]}",
            "/actors",
            hint=REMOVED_HINT,
        )
        causes.findings.append(finding)
        causes.related[finding] = set(files)
    return causes


def _amend(
    registry: Loaded, record: str, actor_id: str, counted: str, causes: Causes, files: set[str]
) -> None:
    """Say on the first finding of the set-aside *record* how many references it leaves
    dangling (those references are not reported one by one)."""
    mine = sorted(
        (i, f)
        for i, f in enumerate(registry.findings)
        if f.pointer == record or f.pointer.startswith(f"{record}/")
    )
    if not mine:
        return
    i, first = mine[0]
    amended = dataclasses.replace(
        first,
        message=f"{first.message}; actor {actor_id} is set aside, leaving {counted} "
        "dangling (not reported one by one)",
    )
    registry.findings[i] = amended
    causes.related[amended] = files
