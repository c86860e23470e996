"""Generated parts of the docs, kept in sync with the code: the codebook's field tables (from
the JSON Schemas), the README's rule-code table (from the rules' declarations) and the CLI
reference in ``docs/cli.md`` (from ``--help``). ``python -m toolkit.docs --check`` fails when
any of them is stale.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from toolkit.check.rule_codes import rule_codes
from toolkit.registry import SchemaRegistry

REPO = Path(__file__).resolve().parent.parent
#: The files with generated parts.
DOCUMENTS = (
    REPO / "README.md",
    REPO / "docs" / "cli.md",
    REPO / "schemas" / "README.md",
    REPO / "seeds" / "README.md",
)
_BLOCK = re.compile(r"(<!-- BEGIN (?P<name>[\w:.-]+) -->\n).*?(<!-- END (?P=name) -->)", re.DOTALL)


def field_table(registry: SchemaRegistry, name: str, version: str) -> str:
    """Markdown table of the properties of record type *name*."""
    schema = registry.schema(name, version)
    resolver = registry.referencing.resolver(base_uri=schema["$id"])
    required = set(schema.get("required", ()))
    rows = ["| field | required | type | meaning |", "|---|---|---|---|"]
    for prop, sub in schema.get("properties", {}).items():
        resolved = _deref(resolver, sub)
        meaning = (sub.get("description") or resolved.get("description", "")).replace("\n", " ")
        rows.append(
            f"| `{prop}` | {'yes' if prop in required else 'no'} | "
            f"{_type(resolved)} | {meaning.replace('|', '/')} |"
        )
    return "\n".join(rows) + "\n"


def _deref(resolver: Any, node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        resolved = resolver.lookup(node["$ref"])
        node, resolver = (
            {**resolved.contents, **{k: v for k, v in node.items() if k != "$ref"}},
            resolved.resolver,
        )
    return node


def _type(node: dict[str, Any]) -> str:
    if "enum" in node:
        return "one of " + ", ".join(f"`{v}`" for v in node["enum"])
    if "const" in node:
        return f"`{node['const']}`"
    if "oneOf" in node:
        return " or ".join(_type(n) if "$ref" not in n else "see schema" for n in node["oneOf"])
    kind = node.get("type", "object")
    if isinstance(kind, list):
        kind = " or ".join(kind)
    if kind == "array" and isinstance(node.get("items"), dict):
        items = node["items"]
        inner = "enum" if "enum" in items else items.get("type", "object")
        if "$ref" in items:
            inner = items["$ref"].split("/")[-1].removesuffix(".schema.json")
        return f"array of {inner}"
    if "pattern" in node:
        return f"{kind} `{node['pattern']}`"
    return str(kind)


def lexicon_table(registry: SchemaRegistry, version: str) -> str:
    """Markdown table of the cues of *version*'s trigger lexicon."""
    rows = ["| cue | forms | statuses | factualities | meaning |", "|---|---|---|---|---|"]
    for cue in (registry.lexicon(version) or {}).get("cues", []):
        forms = ", ".join(f"“{f}”" for f in cue["forms"])
        rows.append(
            f"| `{cue['cue']}` | {forms} | {', '.join(cue['statuses'])} | "
            f"{', '.join(cue['factualities'])} | {cue['meaning']} |"
        )
    return "\n".join(rows) + "\n"


def seeds_table(root: Path = REPO) -> str:
    """The per-article table of ``seeds/README.md``: each annotation document's title, its
    records, its flags and how its publication date is known, then the totals."""
    import json

    rows = [
        "| article | title (assigned titles in italics) | agreements | actors | dates | flags "
        "| published |",
        "|---|---|---|---|---|---|---|",
    ]
    totals = {"agreements": 0, "actors": 0, "dates": 0}
    keys: set[str] = set()
    relations = 0
    for path in sorted((root / "seeds" / "annotations").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        title = doc["source"]["title"]
        shown = f"*{title['text']}*" if title["assigned"] else title["text"]
        flags: dict[str, int] = {}
        for section in ("agreements", "actors", "dates"):
            for record in doc[section]:
                for flag in record.get("flags", []):
                    flags[flag["kind"]] = flags.get(flag["kind"], 0) + 1
        flagged = ", ".join(f"{n} {kind}" for kind, n in sorted(flags.items())) or "none"
        for section in totals:
            totals[section] += len(doc[section])
        keys.update(a["canonical_key"] for a in doc["agreements"])
        relations += sum(len(a.get("relations", [])) for a in doc["agreements"])
        rows.append(
            f"| `{path.stem}` | {shown} | {len(doc['agreements'])} | {len(doc['actors'])} | "
            f"{len(doc['dates'])} | {flagged} | {_published(doc['source']['publication'])} |"
        )
    registry = json.loads((root / "seeds" / "actors.json").read_text(encoding="utf-8"))
    rows += [
        "",
        f"Totals: {totals['agreements']} agreement records ({len(keys)} canonical keys, "
        f"{relations} relations between them), {len(registry['actors'])} registry actors, "
        f"{totals['dates']} date records.",
    ]
    return "\n".join(rows) + "\n"


def _published(publication: dict[str, Any]) -> str:
    """How an article's publication date is known, briefly."""
    if publication["basis"] == "stated":
        return f"stated: {publication['date']}"
    if publication["basis"] == "inferred":
        bounds = [publication.get("earliest"), publication.get("latest")]
        return "inferred: " + " to ".join(b or "open" for b in bounds)
    return "unknown"


def rules_table() -> str:
    """Every rule code with its meaning, in the order the layers run (file, json, schema,
    evidence, table); warnings say so, the rest are errors."""
    rows = ["| code | meaning |", "|---|---|"]
    for r in rule_codes().values():
        warning = " (warning)" if r.severity.value == "warning" else ""
        rows.append(f"| `{r.code}` | {r.title}{warning} |")
    return "\n".join(rows) + "\n"


def cli_reference() -> str:
    from click.testing import CliRunner

    from toolkit.cli import cli

    out = []
    commands: list[list[str]] = [[]]
    for name, cmd in sorted(cli.commands.items()):
        commands.append([name])
        for sub in sorted(getattr(cmd, "commands", {})):
            commands.append([name, sub])
    for args in commands:
        text = CliRunner().invoke(cli, [*args, "--help"], prog_name="toolkit").output
        title = " ".join(["toolkit", *args])
        out += [f"### `{title}`", "", "```", text.rstrip(), "```", ""]
    return "\n".join(out)


def blocks() -> dict[str, str]:
    registry = SchemaRegistry.load()
    version = registry.latest
    generated = {
        f"fields:{n}": field_table(registry, n, version) for n in registry.record_types(version)
    }
    generated["lexicon"] = lexicon_table(registry, version)
    generated["rules"] = rules_table()
    generated["seeds"] = seeds_table()
    generated["cli"] = cli_reference()
    return generated


def render(text: str, generated: dict[str, str]) -> str:
    def one(m: re.Match[str]) -> str:
        name = m.group("name")
        if name not in generated:
            return m.group(0)
        return m.group(1) + generated[name] + m.group(3)

    return _BLOCK.sub(one, text)


def main(argv: list[str]) -> int:
    generated = blocks()
    stale = []
    for path in DOCUMENTS:
        text = path.read_text(encoding="utf-8")
        new = render(text, generated)
        if new != text:
            stale.append(path.relative_to(REPO).as_posix())
            if "--write" in argv:
                path.write_text(new, encoding="utf-8")
    if stale and "--check" in argv:
        print(f"stale generated docs in {', '.join(stale)}: run `make docs`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
