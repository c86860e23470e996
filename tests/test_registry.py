"""The released schemas: metaschema validity, offline resolution, immutability, versions."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing.exceptions import Unresolvable

from toolkit.errors import SchemaDirectoryMissing, UnknownSchemaName, UnknownSchemaVersion
from toolkit.registry import SchemaRegistry, schema_uri

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
SCHEMA_FILES = sorted(SCHEMAS.glob("*/*.schema.json"))


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=[p.name for p in SCHEMA_FILES])
def test_every_schema_file_passes_its_metaschema(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    version = path.parent.name
    assert schema["$id"] == schema_uri(version, path.name.removesuffix(".schema.json"))


def test_released_schemas_are_immutable() -> None:
    """Editing a released schema must fail here: a change needs a new version folder."""
    manifest = {}
    for line in (SCHEMAS / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        manifest[name] = digest
    lexicons = sorted(SCHEMAS.glob("*/triggers.json"))
    on_disk = {p.relative_to(SCHEMAS).as_posix() for p in [*SCHEMA_FILES, *lexicons]}
    assert on_disk == set(manifest), "every released schema and lexicon is in schemas/SHA256SUMS"
    for name, digest in manifest.items():
        assert hashlib.sha256((SCHEMAS / name).read_bytes()).hexdigest() == digest, name


def test_registry_lists_versions_and_record_types(registry: SchemaRegistry) -> None:
    assert registry.versions == ["1.0.0", "1.1.0"]
    assert registry.latest == "1.1.0"
    assert registry.record_types("1.1.0") == [*registry.record_types("1.0.0"), "trigger_lexicon"]
    assert registry.record_types("1.0.0") == [
        "actor",
        "actor_mention",
        "actor_registry",
        "agreement",
        "annotation",
        "date",
        "evidence",
        "source",
    ]


def test_cross_file_refs_resolve_offline(registry: SchemaRegistry) -> None:
    resolver = registry.referencing.resolver(base_uri=schema_uri("1.0.0", "agreement"))
    resolved = resolver.lookup("defs.schema.json#/$defs/evidence_list")
    assert resolved.contents["minItems"] == 1
    with pytest.raises(Unresolvable):
        resolver.lookup("https://example.com/remote.schema.json")


def test_a_remote_ref_is_never_fetched(tmp_path: Path) -> None:
    version = tmp_path / "2.0.0"
    version.mkdir()
    (version / "annotation.schema.json").write_text(
        json.dumps(
            {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$id": schema_uri("2.0.0", "annotation"),
                "$ref": "https://example.com/not-fetched.json",
            }
        )
    )
    validator = SchemaRegistry.load(tmp_path).validator("annotation", "2.0.0")
    with pytest.raises(Unresolvable):
        list(validator.iter_errors({}))


def test_unknown_version_is_refused_with_the_known_ones(registry: SchemaRegistry) -> None:
    with pytest.raises(UnknownSchemaVersion, match=r"'9\.9\.9'.*known versions: 1\.0\.0"):
        registry.check_version("9.9.9")
    with pytest.raises(UnknownSchemaName, match="known: actor"):
        registry.schema("treaty")


def test_missing_schema_folder_is_an_environment_error(tmp_path: Path) -> None:
    with pytest.raises(SchemaDirectoryMissing):
        SchemaRegistry.load(tmp_path / "nowhere")


def test_schema_list_and_show_commands(run_cli) -> None:  # type: ignore[no-untyped-def]
    listed = run_cli("schema", "list")
    assert listed.exit_code == 0
    assert "1.1.0  (latest)" in listed.output and "1.0.0\n" in listed.output
    for name in ("agreement", "actor", "date", "evidence", "source", "annotation"):
        assert f"  {name} " in listed.output
    shown = run_cli("schema", "show", "agreement", "--version", "1.0.0")
    assert json.loads(shown.output)["title"] == "Agreement"
    unknown = run_cli("schema", "show", "agreement", "--version", "9.9.9")
    assert unknown.exit_code == 2
    assert "known versions: 1.0.0, 1.1.0" in unknown.output


@pytest.mark.parametrize(
    ("pattern", "rewritten", "accepted", "refused"),
    [
        ("^agr-[a-z0-9]+$", "^agr-[a-z0-9]+\\Z", "agr-x", "agr-x\n"),
        ("a$|b$", "a\\Z|b\\Z", "b", "b\n"),
        ("a\\$", "a\\$", "a$", "a"),  # an escaped dollar is a dollar
        ("a\\\\$", "a\\\\\\Z", "a\\", "a\\\n"),  # an escaped backslash, then the end
        ("[$]$", "[$]\\Z", "$", "$\n"),  # in a class, a dollar is a dollar
        ("[\\]$]$", "[\\]$]\\Z", "]", "]\n"),
        ("[]$]$", "[]$]\\Z", "]", "]\n"),  # a "]" first in a class is a member of it
        ("[^]$]$", "[^]$]\\Z", "x", "]"),
        ("[\\[]$", "[\\[]\\Z", "[", "[\n"),
    ],
)
def test_patterns_end_where_ecma_262_ends_them(
    pattern: str, rewritten: str, accepted: str, refused: str
) -> None:
    from toolkit.registry import ecma_validator_class

    validator = ecma_validator_class()({"type": "string", "pattern": pattern})
    assert validator.is_valid(accepted) and not validator.is_valid(refused), rewritten
