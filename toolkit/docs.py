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
DOCUMENTS = (REPO / "README.md", REPO / "docs" / "cli.md", REPO / "schemas" / "README.md")
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


def rules_table() -> str:
    """Every rule code with its layer and meaning (warnings say so; the rest are errors)."""
    rows = ["| code | layer | meaning |", "|---|---|---|"]
    for r in rule_codes().values():
        warning = " (warning)" if r.severity.value == "warning" else ""
        rows.append(f"| `{r.code}` | {r.layer} | {r.title}{warning} |")
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
