"""The verdict for people: as text (:func:`render_text`) and as a Markdown page
(:func:`render_markdown`)."""

from __future__ import annotations

from toolkit.evolve.compat.verdict import Change, Verdict, _shown_pointer


def render_text(verdict: Verdict, *, documentation: bool = False) -> str:
    """The verdict as text: each record type with its verdict, then one line per change
    (``pointer: kind (backward yes/no, forward yes/no): reason``), and a last line with the
    overall verdict.

    :param documentation: also list the documentation-only changes (counted otherwise).
    :returns: the text, ending in a newline.
    """
    lines = [f"schema compatibility {verdict.old} -> {verdict.new}"]
    for name in verdict._names():
        lines.append(f"{name}: {verdict.compatibility(name)}")
        own = [c for c in verdict.changes if c.record_type == name]
        shown = [c for c in own if documentation or c.kind != "documentation"]
        lines += [
            f"  {_shown_pointer(c.pointer)}: {c.kind} ({_ways(c)}): {c.reason}" for c in shown
        ]
        if len(shown) < len(own):
            lines.append(f"  ({len(own) - len(shown)} documentation changes not shown)")
    lines.append(f"overall: {verdict.compatibility()}")
    return "\n".join(lines) + "\n"


def render_markdown(verdict: Verdict) -> str:
    """The verdict as a Markdown page: a table of the record types' verdicts, then a table of
    each record type's changes.

    :returns: the page, ending in a newline.
    """
    lines = [
        f"# Schema compatibility: `{verdict.old}` → `{verdict.new}`",
        "",
        f"Overall: **{verdict.compatibility()}**",
        "",
        "| record type | verdict | changes |",
        "|---|---|---|",
    ]
    names = verdict._names()
    for name in names:
        count = sum(1 for c in verdict.changes if c.record_type == name)
        lines.append(f"| `{name}` | {verdict.compatibility(name)} | {count} |")
    for name in names:
        own = [c for c in verdict.changes if c.record_type == name]
        if not own:
            continue
        lines += ["", f"## `{name}`: {verdict.compatibility(name)}", ""]
        lines += ["| pointer | kind | backward | forward | reason |", "|---|---|---|---|---|"]
        for c in own:
            cells = [f"`{_shown_pointer(c.pointer)}`", c.kind, _yes(c.backward), _yes(c.forward)]
            lines.append("| " + " | ".join([*cells, _cell(c.reason)]) + " |")
    return "\n".join(lines) + "\n"


def _ways(change: Change) -> str:
    return f"backward {_yes(change.backward)}, forward {_yes(change.forward)}"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
