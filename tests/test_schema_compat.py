"""The compatibility verdict between schema versions (toolkit/evolve/compat/): drafts made
from the released schemas by editing one thing each, the real 1.0.0 → 1.1.0 step, the SemVer
release rule, and small schemas for each keyword family."""

from __future__ import annotations

import copy
import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from toolkit.errors import ToolkitError, UnknownSchemaName, UnknownSchemaVersion
from toolkit.evolve.compat import (
    FORMAT_VERSION,
    KINDS,
    Change,
    UnknownSchemaSet,
    UnreadableSchemaSet,
    Verdict,
    diff_schemas,
    load_schema_set,
    release_problems,
    render_markdown,
    render_text,
    semver_step,
)
from toolkit.registry import SchemaRegistry

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
Docs = dict[str, Any]
Edit = Callable[[Docs], None]


@pytest.fixture(scope="module")
def released() -> SchemaRegistry:
    return SchemaRegistry.load(SCHEMAS)


def node(docs: Docs, name: str, *path: str) -> Any:
    """The node at *path* of record type *name* (property names and keywords)."""
    found = docs[name]
    for key in path:
        found = found[key]
    return found


def write_folder(folder: Path, docs: Docs) -> Path:
    folder.mkdir(parents=True)
    for name, schema in docs.items():
        (folder / f"{name}.schema.json").write_text(json.dumps(schema, indent=2), "utf-8")
    return folder


def draft(tmp_path: Path, released: SchemaRegistry, edit: Edit, base: str = "1.0.0") -> Any:
    """A draft folder: a copy of release *base* with *edit* applied, loaded as a spec."""
    docs = copy.deepcopy(released.schemas[base])
    edit(docs)
    folder = write_folder(tmp_path / f"draft-{len(list(tmp_path.iterdir()))}", docs)
    return load_schema_set(folder, released)


def the(verdict: Verdict, record_type: str, pointer: str, kind: str) -> Change:
    """The one change of *kind* at *pointer*."""
    found = [
        c
        for c in verdict.changes
        if (c.record_type, c.pointer, c.kind) == (record_type, pointer, kind)
    ]
    listed = [(c.record_type, c.pointer, c.kind) for c in verdict.changes]
    assert len(found) == 1, listed
    return found[0]


def kinds_listed(verdict: Verdict) -> None:
    for change in verdict.changes:
        family = change.kind.rsplit("-", 1)[0] + "-*"
        assert change.kind in KINDS or family in KINDS, change.kind


# --- drafts of 1.0.0, one edit each ---------------------------------------------------------


def remove_optional_field(docs: Docs) -> None:
    del node(docs, "actor", "properties")["wikidata_qid"]


def remove_required_field(docs: Docs) -> None:
    del node(docs, "agreement", "properties")["title_as_reported"]
    node(docs, "agreement", "required").remove("title_as_reported")


def narrow_enum(docs: Docs) -> None:
    node(docs, "agreement", "properties", "status", "enum").remove("shelved")


def require_optional_field(docs: Docs) -> None:
    node(docs, "date", "required").append("derivation")


def add_required_field(docs: Docs) -> None:
    node(docs, "agreement", "properties")["url"] = {"type": "string"}
    node(docs, "agreement", "required").append("url")


def change_type(docs: Docs) -> None:
    node(docs, "evidence", "properties", "start")["type"] = "string"


def narrow_type(docs: Docs) -> None:
    node(docs, "source", "properties", "publication", "properties", "date")["type"] = "string"


def narrow_pattern(docs: Docs) -> None:
    node(docs, "date", "properties", "value")["pattern"] = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def lower_max_length(docs: Docs) -> None:
    node(docs, "evidence", "properties", "quote")["maxLength"] = 1000


def raise_minimum(docs: Docs) -> None:
    node(docs, "evidence", "properties", "end")["minimum"] = 2


def remove_record_type(docs: Docs) -> None:
    del docs["actor_registry"]


def narrow_shared_definition(docs: Docs) -> None:
    node(docs, "defs", "$defs", "nonempty_text")["maxLength"] = 500


def unique_roles(docs: Docs) -> None:
    node(docs, "actor_mention", "properties", "roles")["uniqueItems"] = True


def add_format(docs: Docs) -> None:
    node(docs, "evidence", "properties", "quote")["format"] = "email"


def add_constraint(docs: Docs) -> None:
    node(docs, "evidence")["allOf"] = [{"properties": {"prefix": {"maxLength": 50}}}]


@pytest.mark.parametrize(
    ("edit", "record_type", "pointer", "kind", "verdict"),
    [
        pytest.param(
            remove_optional_field,
            "actor",
            "/properties/wikidata_qid",
            "property-removed",
            "forward",
            id="optional-field-removed",
        ),
        pytest.param(
            remove_required_field,
            "agreement",
            "/properties/title_as_reported",
            "property-removed",
            "breaking",
            id="required-field-removed",
        ),
        pytest.param(
            narrow_enum,
            "agreement",
            "/properties/status/enum",
            "enum-narrowed",
            "forward",
            id="enum-narrowed",
        ),
        pytest.param(
            require_optional_field,
            "date",
            "/required",
            "required-gained",
            "forward",
            id="optional-field-made-required",
        ),
        pytest.param(
            add_required_field,
            "agreement",
            "/required",
            "required-gained",
            "breaking",
            id="new-required-field",
        ),
        pytest.param(
            change_type,
            "evidence",
            "/properties/start/type",
            "type-changed",
            "breaking",
            id="type-changed",
        ),
        pytest.param(
            narrow_type,
            "source",
            "/properties/publication/properties/date/type",
            "type-narrowed",
            "forward",
            id="type-narrowed",
        ),
        pytest.param(
            narrow_pattern,
            "date",
            "/properties/value/pattern",
            "pattern-changed",
            "breaking",
            id="pattern-narrowed",
        ),
        pytest.param(
            lower_max_length,
            "evidence",
            "/properties/quote/maxLength",
            "bound-tightened",
            "forward",
            id="maxLength-lowered",
        ),
        pytest.param(
            raise_minimum,
            "evidence",
            "/properties/end/minimum",
            "bound-tightened",
            "forward",
            id="minimum-raised",
        ),
        pytest.param(
            remove_record_type,
            "actor_registry",
            "",
            "record-type-removed",
            "forward",
            id="record-type-removed",
        ),
        pytest.param(
            narrow_shared_definition,
            "defs",
            "/$defs/nonempty_text/maxLength",
            "bound-tightened",
            "forward",
            id="shared-definition-narrowed",
        ),
        pytest.param(
            unique_roles,
            "actor_mention",
            "/properties/roles/uniqueItems",
            "unique-items-on",
            "forward",
            id="uniqueItems-on",
        ),
        pytest.param(
            add_format,
            "evidence",
            "/properties/quote/format",
            "format-added",
            "forward",
            id="format-added",
        ),
        pytest.param(
            add_constraint,
            "evidence",
            "/allOf/0",
            "all-of-entry-added",
            "forward",
            id="allOf-constraint-added",
        ),
    ],
)
def test_a_narrowing_draft_loses_backward_compatibility(
    tmp_path: Path,
    released: SchemaRegistry,
    edit: Edit,
    record_type: str,
    pointer: str,
    kind: str,
    verdict: str,
) -> None:
    found = diff_schemas(("1.0.0", released.schemas["1.0.0"]), draft(tmp_path, released, edit))
    change = the(found, record_type, pointer, kind)
    assert not change.backward
    assert found.compatibility(record_type) == verdict
    assert found.compatibility() == verdict
    kinds_listed(found)


def test_the_reason_names_the_lost_value(tmp_path: Path, released: SchemaRegistry) -> None:
    found = diff_schemas(
        ("1.0.0", released.schemas["1.0.0"]), draft(tmp_path, released, narrow_enum)
    )
    reason = the(found, "agreement", "/properties/status/enum", "enum-narrowed").reason
    assert reason.startswith("enum of /properties/status lost 'shelved': ")
    assert "data written with 'shelved' is now rejected" in reason


def test_a_removed_required_field_is_two_changes(tmp_path: Path, released: SchemaRegistry) -> None:
    found = diff_schemas(
        ("1.0.0", released.schemas["1.0.0"]), draft(tmp_path, released, remove_required_field)
    )
    removed = the(found, "agreement", "/properties/title_as_reported", "property-removed")
    lost = the(found, "agreement", "/required", "required-lost")
    assert (removed.backward, removed.forward) == (False, True)  # the object is closed
    assert (lost.backward, lost.forward) == (True, False)


def test_a_shared_definition_is_reported_where_it_is_used(
    tmp_path: Path, released: SchemaRegistry
) -> None:
    found = diff_schemas(
        ("1.0.0", released.schemas["1.0.0"]), draft(tmp_path, released, narrow_shared_definition)
    )
    used = the(found, "agreement", "/properties/title_as_reported", "ref-target")
    assert (used.backward, used.forward) == (False, True)
    assert "defs.schema.json#/$defs/nonempty_text" in used.reason
    assert found.compatibility("agreement") == "forward"


def widen_enum(docs: Docs) -> None:
    node(docs, "agreement", "properties", "sectors", "items", "enum").append("space")


def add_optional_field(docs: Docs) -> None:
    node(docs, "agreement", "properties")["url"] = {"type": "string", "format": "uri"}


def raise_max_length(docs: Docs) -> None:
    node(docs, "evidence", "properties", "quote")["maxLength"] = 10000


def widen_type(docs: Docs) -> None:
    node(docs, "evidence", "properties", "start")["type"] = "number"


def drop_required(docs: Docs) -> None:
    node(docs, "date", "required").remove("precision")


def open_span(docs: Docs) -> None:
    del node(docs, "source", "$defs", "span")["additionalProperties"]


def drop_pattern(docs: Docs) -> None:
    del node(docs, "actor", "properties", "wikidata_qid")["pattern"]


def widen_nonempty_text(docs: Docs) -> None:
    node(docs, "defs", "$defs", "nonempty_text")["maxLength"] = 20000


@pytest.mark.parametrize(
    ("edit", "record_type", "pointer", "kind"),
    [
        pytest.param(
            widen_enum,
            "agreement",
            "/properties/sectors/items/enum",
            "enum-widened",
            id="enum-widened",
        ),
        pytest.param(
            add_optional_field,
            "agreement",
            "/properties/url",
            "property-added",
            id="optional-field-added-to-a-closed-object",
        ),
        pytest.param(
            raise_max_length,
            "evidence",
            "/properties/quote/maxLength",
            "bound-loosened",
            id="maxLength-raised",
        ),
        pytest.param(
            widen_type, "evidence", "/properties/start/type", "type-widened", id="integer-to-number"
        ),
        pytest.param(drop_required, "date", "/required", "required-lost", id="required-dropped"),
        pytest.param(
            open_span,
            "source",
            "/$defs/span/additionalProperties",
            "additional-properties-opened",
            id="object-opened",
        ),
        pytest.param(
            drop_pattern,
            "actor",
            "/properties/wikidata_qid/pattern",
            "pattern-removed",
            id="pattern-removed",
        ),
        pytest.param(
            widen_nonempty_text,
            "agreement",
            "/properties/title_as_reported",
            "ref-target",
            id="shared-definition-widened",
        ),
    ],
)
def test_a_widening_draft_is_backward(
    tmp_path: Path,
    released: SchemaRegistry,
    edit: Edit,
    record_type: str,
    pointer: str,
    kind: str,
) -> None:
    found = diff_schemas(("1.0.0", released.schemas["1.0.0"]), draft(tmp_path, released, edit))
    change = the(found, record_type, pointer, kind)
    assert (change.backward, change.forward) == (True, False)
    assert found.compatibility() == "backward"
    kinds_listed(found)


def test_closing_an_open_object_breaks_backward(tmp_path: Path, released: SchemaRegistry) -> None:
    opened = draft(tmp_path, released, open_span)
    found = diff_schemas(opened, ("1.0.0", released.schemas["1.0.0"]))
    the(found, "source", "/$defs/span/additionalProperties", "additional-properties-closed")
    used = the(found, "source", "/properties/content_span", "ref-target")
    assert (used.backward, used.forward) == (False, True)
    assert found.compatibility() == "forward"


def test_a_property_added_to_an_open_object_is_forward(
    tmp_path: Path, released: SchemaRegistry
) -> None:
    """Old data may already carry the property, with any value: the new rule for it can
    reject that data (Confluent's PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL), so only a rule that
    accepts everything keeps backward compatibility."""
    opened = draft(tmp_path, released, open_span)

    def add(rule: Any) -> Edit:
        def edit(docs: Docs) -> None:
            open_span(docs)
            node(docs, "source", "$defs", "span", "properties")["note"] = rule

        return edit

    typed = diff_schemas(opened, draft(tmp_path, released, add({"type": "string"})))
    change = the(typed, "source", "/$defs/span/properties/note", "property-added")
    assert (change.backward, change.forward) == (False, True)
    assert typed.compatibility() == "forward"
    anything = diff_schemas(opened, draft(tmp_path, released, add({"description": "free"})))
    assert anything.compatibility() == "full"


def test_a_property_removed_from_an_open_object_is_backward(
    tmp_path: Path, released: SchemaRegistry
) -> None:
    def remove(docs: Docs) -> None:
        open_span(docs)
        del node(docs, "source", "$defs", "span", "properties")["reason"]

    found = diff_schemas(draft(tmp_path, released, open_span), draft(tmp_path, released, remove))
    change = the(found, "source", "/$defs/span/properties/reason", "property-removed")
    assert (change.backward, change.forward) == (True, False)


def test_a_draft_differing_in_descriptions_is_full(
    tmp_path: Path, released: SchemaRegistry
) -> None:
    def describe(docs: Docs) -> None:
        node(docs, "agreement", "properties", "status")["description"] = "How far it went."
        node(docs, "defs", "$defs", "notes")["description"] = "Remarks."
        node(docs, "evidence")["title"] = "A quote"
        node(docs, "date", "properties", "mod")["examples"] = ["ON_OR_BEFORE"]
        node(docs, "actor")["$comment"] = "reviewed"

    found = diff_schemas(("1.0.0", released.schemas["1.0.0"]), draft(tmp_path, released, describe))
    assert found.compatibility() == "full"
    assert {c.kind for c in found.changes} == {"documentation"}
    assert len(found.changes) == 5
    hidden = render_text(found)
    assert "How far it went" not in hidden
    assert "  (1 documentation changes not shown)" in hidden
    assert "/properties/status/description: documentation" in render_text(found, documentation=True)


def test_a_version_compared_with_itself_has_no_changes(
    tmp_path: Path, released: SchemaRegistry
) -> None:
    same = diff_schemas(("1.0.0", released.schemas["1.0.0"]), ("1.0.0", released.schemas["1.0.0"]))
    assert same.changes == ()
    assert same.compatibility() == "full"
    copied = draft(tmp_path, released, lambda docs: None)
    assert diff_schemas(("1.0.0", released.schemas["1.0.0"]), copied).changes == ()


# --- the released 1.0.0 → 1.1.0 -------------------------------------------------------------


@pytest.fixture(scope="module")
def step_1_1(released: SchemaRegistry) -> Verdict:
    return diff_schemas(load_schema_set("1.0.0", released), load_schema_set("1.1.0", released))


def test_1_1_0_is_backward(step_1_1: Verdict) -> None:
    assert step_1_1.compatibility() == "backward"
    assert [c for c in step_1_1.changes if not c.backward] == []
    kinds_listed(step_1_1)


@pytest.mark.parametrize(
    ("record_type", "pointer", "kind", "forward"),
    [
        ("agreement", "/properties/trigger", "property-added", False),
        ("agreement", "/properties/relations", "property-added", False),
        ("agreement", "/properties/counts/items/properties/qualifier", "property-added", False),
        ("agreement", "/properties/counts/items/allOf/0", "all-of-entry-added", True),
        ("agreement", "/allOf/0/if/required", "required-gained", True),
        ("date", "/properties/earliest/type", "type-widened", False),
        ("date", "/properties/latest/type", "type-widened", False),
        ("date", "/properties/correction", "property-added", False),
        ("date", "/properties/anchor/properties/kind/enum", "enum-widened", False),
        ("date", "/properties/anchor/allOf/1", "all-of-entry-added", True),
        ("date", "/allOf/2", "all-of-entry-added", True),
        ("trigger_lexicon", "", "record-type-added", True),
        ("defs", "/$defs/schema_version/const", "version-stamp", True),
        ("defs", "/$id", "version-stamp", True),
        ("annotation", "/properties/schema_version", "version-stamp", True),
        ("annotation", "/properties/agreements/items", "ref-target", False),
        ("source", "/properties/publication/properties/earliest", "restated", True),
    ],
)
def test_1_1_0_changes(
    step_1_1: Verdict, record_type: str, pointer: str, kind: str, forward: bool
) -> None:
    change = the(step_1_1, record_type, pointer, kind)
    assert (change.backward, change.forward) == (True, forward)


def test_1_1_0_verdict_per_record_type(step_1_1: Verdict) -> None:
    assert step_1_1.compatibility("trigger_lexicon") == "full"
    assert step_1_1.compatibility("evidence") == "full"
    assert step_1_1.compatibility("source") == "full"
    assert step_1_1.compatibility("agreement") == "backward"
    assert step_1_1.compatibility("date") == "backward"
    with pytest.raises(UnknownSchemaName):
        step_1_1.compatibility("nothing")


def test_the_text_report(step_1_1: Verdict) -> None:
    text = render_text(step_1_1)
    lines = text.splitlines()
    assert lines[0] == "schema compatibility 1.0.0 -> 1.1.0"
    assert lines[-1] == "overall: backward"
    assert "agreement: backward" in lines
    assert "trigger_lexicon: full" in lines
    trigger = next(line for line in lines if line.startswith("  /properties/trigger: "))
    assert trigger.startswith(
        "  /properties/trigger: property-added (backward yes, forward no): property 'trigger'"
    )


def test_the_json_and_markdown_reports(step_1_1: Verdict) -> None:
    data = json.loads(json.dumps(step_1_1.to_dict()))
    assert data["format_version"] == FORMAT_VERSION
    assert (data["old"], data["new"], data["compatibility"]) == ("1.0.0", "1.1.0", "backward")
    assert data["record_types"]["trigger_lexicon"] == "full"
    assert len(data["changes"]) == len(step_1_1.changes)
    assert set(data["changes"][0]) == {
        "record_type",
        "pointer",
        "kind",
        "backward",
        "forward",
        "reason",
    }
    page = render_markdown(step_1_1)
    assert "Overall: **backward**" in page
    assert "| `agreement` | backward |" in page
    assert "| `/properties/trigger` | property-added | yes | no |" in page


# --- the SemVer rule --------------------------------------------------------------------------


def restamped(docs: Docs, old: str, new: str) -> Docs:
    """*docs* as version *new*: every ``$id`` and the ``schema_version`` const."""
    out = copy.deepcopy(docs)
    for schema in out.values():
        schema["$id"] = schema["$id"].replace(f"/{old}/", f"/{new}/")
    out["defs"]["$defs"]["schema_version"]["const"] = new
    return out


def schemas_with(tmp_path: Path, version: str, docs: Docs) -> SchemaRegistry:
    root = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, root)
    write_folder(root / version, docs)
    return SchemaRegistry.load(root)


def test_the_released_schemas_keep_the_rule(released: SchemaRegistry) -> None:
    assert release_problems(released) == []


def without_title(released: SchemaRegistry, version: str) -> Docs:
    docs = restamped(released.schemas["1.1.0"], "1.1.0", version)
    remove_required_field(docs)
    return docs


def test_a_minor_release_that_breaks_is_reported(tmp_path: Path, released: SchemaRegistry) -> None:
    problems = release_problems(schemas_with(tmp_path, "1.2.0", without_title(released, "1.2.0")))
    assert len(problems) == 1
    first, *causes = problems[0].splitlines()
    assert first == (
        "1.1.0 -> 1.2.0 is a minor step, which must be backward compatible (or full), "
        "but it is breaking:"
    )
    assert any(
        line.startswith("  agreement/properties/title_as_reported: property-removed: ")
        for line in causes
    )


def test_the_same_change_as_a_major_release_is_accepted(
    tmp_path: Path, released: SchemaRegistry
) -> None:
    assert release_problems(schemas_with(tmp_path, "2.0.0", without_title(released, "2.0.0"))) == []


def test_a_patch_release_must_be_full(tmp_path: Path, released: SchemaRegistry) -> None:
    docs = restamped(released.schemas["1.1.0"], "1.1.0", "1.1.1")
    node(docs, "agreement", "properties", "status")["description"] = "How far it went."
    assert release_problems(schemas_with(tmp_path, "1.1.1", docs)) == []
    widen_enum(docs)
    problems = release_problems(schemas_with(tmp_path / "again", "1.1.1", docs))
    assert len(problems) == 1
    assert problems[0].startswith(
        "1.1.0 -> 1.1.1 is a patch step, which must be full, but it is backward:"
    )
    assert "agreement/properties/sectors/items/enum: enum-widened" in problems[0]


@pytest.mark.parametrize(
    ("old", "new", "step"),
    [
        ("1.0.0", "1.1.0", "minor"),
        ("1.1.0", "2.0.0", "major"),
        ("1.1.0", "1.1.1", "patch"),
        ("1.9.3", "1.10.0", "minor"),
        ("0.9.0", "1.0.0", "major"),
    ],
)
def test_semver_step(old: str, new: str, step: str) -> None:
    assert semver_step(old, new) == step


@pytest.mark.parametrize(("old", "new"), [("1.1.0", "1.0.0"), ("1.0.0", "1.0.0"), ("1.0", "1.1")])
def test_semver_step_refuses(old: str, new: str) -> None:
    with pytest.raises(ValueError):
        semver_step(old, new)


# --- what a spec can be ----------------------------------------------------------------------


def test_a_folder_spec(tmp_path: Path, released: SchemaRegistry) -> None:
    folder = write_folder(tmp_path / "draft", released.schemas["1.1.0"])
    label, docs = load_schema_set(folder, released)
    assert label == str(folder)
    assert docs == released.schemas["1.1.0"]
    assert load_schema_set(str(folder), released)[1] == docs


@pytest.mark.parametrize("spec", ["9.9.9", "no/such/folder", ""])
def test_an_unknown_spec_is_refused(spec: str, released: SchemaRegistry) -> None:
    with pytest.raises(UnknownSchemaSet, match="neither a released schema version") as caught:
        load_schema_set(spec, released)
    assert isinstance(caught.value, UnknownSchemaVersion)
    assert isinstance(caught.value, ToolkitError)
    assert repr(spec) in str(caught.value)


def test_a_folder_without_schemas_is_refused(tmp_path: Path, released: SchemaRegistry) -> None:
    (tmp_path / "notes.json").write_text("{}", "utf-8")
    with pytest.raises(UnknownSchemaSet):
        load_schema_set(tmp_path, released)


def test_an_unreadable_schema_file_is_refused(tmp_path: Path, released: SchemaRegistry) -> None:
    (tmp_path / "actor.schema.json").write_text("{not json", "utf-8")
    with pytest.raises(UnreadableSchemaSet, match=r"actor\.schema\.json"):
        load_schema_set(tmp_path, released)


# --- each keyword family, on small schemas ---------------------------------------------------

S = {"type": "string"}
OBJECT = {"type": "object", "properties": {"a": S}}
CLOSED = {**OBJECT, "additionalProperties": False}
ALTERNATIVES = [{"type": "string", "minLength": 2}, {"enum": [1]}]
CONDITION = {"if": {"properties": {"k": {"const": 1}}}, "then": {"required": ["a"]}}
TREE = {
    "$defs": {
        "node": {
            "type": "object",
            "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/node"}}, "name": S},
        }
    },
    "$ref": "#/$defs/node",
}


def with_(schema: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(schema)
    target = out
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return out


@pytest.mark.parametrize(
    ("old", "new", "pointer", "kind", "verdict"),
    [
        pytest.param(
            OBJECT,
            with_(OBJECT, ("properties", "b"), S),
            "/properties/b",
            "property-added",
            "forward",
            id="property-added-open",
        ),
        pytest.param(
            CLOSED,
            with_(CLOSED, ("properties", "b"), S),
            "/properties/b",
            "property-added",
            "backward",
            id="property-added-closed",
        ),
        pytest.param(
            CLOSED,
            {**CLOSED, "properties": {}},
            "/properties/a",
            "property-removed",
            "forward",
            id="property-removed-closed",
        ),
        pytest.param(
            {"type": "integer"},
            {"type": ["number", "null"]},
            "/type",
            "type-widened",
            "backward",
            id="integer-to-number-or-null",
        ),
        pytest.param(
            {"enum": ["a", 1]},
            {"enum": ["a", 1], "type": "string"},
            "/type",
            "type-added",
            "forward",
            id="type-added",
        ),
        pytest.param(
            {"enum": ["a", "b"]},
            {"enum": ["a", "b"], "type": "string"},
            "/type",
            "type-added",
            "full",
            id="type-added-implied",
        ),
        pytest.param(
            {"const": "a"}, {"const": "b"}, "/const", "enum-changed", "breaking", id="const-changed"
        ),
        pytest.param({"enum": ["a"]}, {"const": "a"}, "", "", "full", id="enum-as-const"),
        pytest.param(
            S,
            {**S, "allOf": [{"maxLength": 3}]},
            "/allOf/0",
            "all-of-entry-added",
            "forward",
            id="allOf-entry-added",
        ),
        pytest.param(
            {**S, "allOf": [{"maxLength": 3}]},
            S,
            "/allOf/0",
            "all-of-entry-removed",
            "backward",
            id="allOf-entry-removed",
        ),
        pytest.param(
            {"anyOf": ALTERNATIVES},
            {"anyOf": [*ALTERNATIVES, {"enum": [2]}]},
            "/anyOf/2",
            "any-of-entry-added",
            "backward",
            id="anyOf-entry-added",
        ),
        pytest.param(
            {"anyOf": ALTERNATIVES},
            {"anyOf": ALTERNATIVES[:1]},
            "/anyOf/1",
            "any-of-entry-removed",
            "forward",
            id="anyOf-entry-removed",
        ),
        pytest.param(
            {"oneOf": ALTERNATIVES},
            {"oneOf": [*ALTERNATIVES, {"type": "null"}]},
            "/oneOf/2",
            "one-of-entry-added",
            "backward",
            id="oneOf-disjoint-entry-added",
        ),
        pytest.param(
            {"oneOf": ALTERNATIVES},
            {"oneOf": [*ALTERNATIVES, {"maxLength": 9}]},
            "/oneOf/2",
            "one-of-entry-added",
            "breaking",
            id="oneOf-overlapping-entry-added",
        ),
        pytest.param(
            {"oneOf": ALTERNATIVES},
            {"oneOf": [{"type": "string"}, {"enum": [1]}]},
            "/oneOf/0/minLength",
            "bound-removed",
            "backward",
            id="oneOf-entry-widened-disjoint",
        ),
        pytest.param(
            {"oneOf": ALTERNATIVES},
            {"oneOf": [{"minLength": 1}, {"enum": [1]}]},
            "/oneOf/0/type",
            "type-removed",
            "breaking",
            id="oneOf-entry-widened-overlapping",
        ),
        pytest.param(
            S, {**S, "not": {"const": "x"}}, "/not", "not-added", "forward", id="not-added"
        ),
        pytest.param(
            S, {**S, "not": {"type": "null"}}, "/not", "not-added", "full", id="not-added-vacuous"
        ),
        pytest.param(
            {"not": {"enum": ["a", "b"]}},
            {"not": {"enum": ["a"]}},
            "/not/enum",
            "enum-narrowed",
            "backward",
            id="inside-not-reversed",
        ),
        pytest.param(
            CONDITION,
            with_(CONDITION, ("if", "required"), ["k"]),
            "/if/required",
            "required-gained",
            "backward",
            id="if-narrowed",
        ),
        pytest.param(
            {**CONDITION, "else": S},
            with_({**CONDITION, "else": S}, ("if", "required"), ["k"]),
            "/if/required",
            "required-gained",
            "breaking",
            id="if-with-else-changed",
        ),
        pytest.param(
            CONDITION,
            with_(CONDITION, ("then", "required"), ["a", "b"]),
            "/then/required",
            "required-gained",
            "forward",
            id="then-tightened",
        ),
        pytest.param(
            OBJECT,
            {**OBJECT, **CONDITION},
            "/if",
            "conditional-added",
            "forward",
            id="conditional-added",
        ),
        pytest.param(
            CONDITION,
            {"allOf": [{"required": ["z"]}, CONDITION]},
            "",
            "restated",
            "forward",
            id="if-lifted-into-allOf",
        ),
        pytest.param(
            {"oneOf": [{"type": "null"}, {"type": "string", "pattern": "^a"}]},
            {"type": ["string", "null"], "pattern": "^a"},
            "",
            "restated",
            "full",
            id="oneOf-folded-into-a-type-list",
        ),
        pytest.param(
            {"multipleOf": 2},
            {"multipleOf": 4},
            "/multipleOf",
            "bound-tightened",
            "forward",
            id="multipleOf-tightened",
        ),
        pytest.param(
            {"multipleOf": 0.5},
            {"multipleOf": 0.25},
            "/multipleOf",
            "bound-loosened",
            "backward",
            id="multipleOf-loosened",
        ),
        pytest.param(
            {"multipleOf": 2},
            {"multipleOf": 3},
            "/multipleOf",
            "bound-changed",
            "breaking",
            id="multipleOf-changed",
        ),
        pytest.param(
            {"minimum": 1},
            {"exclusiveMinimum": 0},
            "/exclusiveMinimum",
            "bound-loosened",
            "backward",
            id="minimum-to-exclusive",
        ),
        pytest.param(
            {"maximum": 5},
            {"maximum": 5, "exclusiveMaximum": 5},
            "/exclusiveMaximum",
            "bound-tightened",
            "forward",
            id="maximum-made-exclusive",
        ),
        pytest.param(
            {"minItems": 1}, {}, "/minItems", "bound-removed", "backward", id="minItems-removed"
        ),
        pytest.param({"minLength": 0}, {}, "", "", "full", id="minLength-0-is-no-bound"),
        pytest.param(
            S,
            {**S, "maxLength": 3, "maxItems": 2},
            "/maxItems",
            "bound-added",
            "forward",
            id="array-bound-on-a-string-is-moot-but-reported",
        ),
        pytest.param(
            {"uniqueItems": True},
            {"uniqueItems": False},
            "/uniqueItems",
            "unique-items-off",
            "backward",
            id="uniqueItems-off",
        ),
        pytest.param(
            {**S, "format": "date"}, S, "/format", "format-removed", "backward", id="format-removed"
        ),
        pytest.param(
            {**S, "format": "date"},
            {**S, "format": "email"},
            "/format",
            "format-changed",
            "breaking",
            id="format-changed",
        ),
        pytest.param(
            {**S, "pattern": "^a"}, {**S, "pattern": "^a"}, "", "", "full", id="pattern-identical"
        ),
        pytest.param(
            {"enum": ["ab", "ac"]},
            {"enum": ["ab", "ac"], "pattern": "^a"},
            "/pattern",
            "pattern-added",
            "full",
            id="pattern-added-every-value-matches",
        ),
        pytest.param(
            {"dependentRequired": {"a": ["b"]}},
            {"dependentRequired": {"a": ["b", "c"]}},
            "/dependentRequired/a",
            "dependent-required-gained",
            "forward",
            id="dependentRequired-gained",
        ),
        pytest.param(
            {},
            {"dependentSchemas": {"a": {"required": ["b"]}}},
            "/dependentSchemas/a",
            "dependent-schema-added",
            "forward",
            id="dependentSchemas-added",
        ),
        pytest.param(
            {},
            {"propertyNames": {"pattern": "^[a-z]+$"}},
            "/propertyNames",
            "property-names-added",
            "forward",
            id="propertyNames-added",
        ),
        pytest.param(
            OBJECT,
            {**OBJECT, "patternProperties": {"^x-": S}},
            "/patternProperties/^x-",
            "pattern-property-added",
            "forward",
            id="patternProperties-added",
        ),
        pytest.param(
            {"additionalProperties": S},
            {"additionalProperties": {**S, "maxLength": 3}},
            "/additionalProperties/maxLength",
            "bound-added",
            "forward",
            id="additionalProperties-narrowed",
        ),
        pytest.param(
            OBJECT,
            {**OBJECT, "additionalProperties": S},
            "/additionalProperties",
            "additional-properties-added",
            "forward",
            id="additionalProperties-added",
        ),
        pytest.param(
            {"items": False}, {"items": S}, "/items", "items-opened", "backward", id="items-opened"
        ),
        pytest.param(
            {"type": "array"},
            {"type": "array", "prefixItems": [S]},
            "/prefixItems/0",
            "prefix-items-added",
            "forward",
            id="prefixItems-added",
        ),
        pytest.param(
            {"contains": S, "maxContains": 2},
            {"contains": {}, "maxContains": 2},
            "/contains/type",
            "type-removed",
            "breaking",
            id="contains-widened-under-maxContains",
        ),
        pytest.param(
            {"contains": S},
            {"contains": {}},
            "/contains/type",
            "type-removed",
            "backward",
            id="contains-widened",
        ),
        pytest.param(
            {"properties": {"a": True}},
            {"properties": {"a": False}},
            "/properties/a",
            "schema-closed",
            "forward",
            id="subschema-false",
        ),
        pytest.param(
            {"maxLenght": 3},
            {"maxLenght": 4},
            "/maxLenght",
            "unknown-keyword",
            "full",
            id="unknown-keyword",
        ),
        pytest.param(
            {**S, "deprecated": False},
            {**S, "deprecated": True, "examples": ["x"]},
            "/deprecated",
            "documentation",
            "full",
            id="documentation",
        ),
        pytest.param(
            {"$defs": {"s": {**S, "maxLength": 5}}, "properties": {"a": {"$ref": "#/$defs/s"}}},
            {"$defs": {"s": {**S, "maxLength": 3}}, "properties": {"a": {"$ref": "#/$defs/s"}}},
            "/properties/a",
            "ref-target",
            "forward",
            id="ref-target-narrowed",
        ),
        pytest.param(
            {"$defs": {"s": S}, "$ref": "#/$defs/s"},
            {"$defs": {"s": S, "t": S}, "$ref": "#/$defs/t"},
            "",
            "ref-retargeted",
            "full",
            id="ref-retargeted",
        ),
        pytest.param(
            {"$defs": {"s": S}, "$ref": "#/$defs/s"},
            {"$ref": "#/$defs/s"},
            "/$ref",
            "ref-unresolved",
            "breaking",
            id="ref-unresolved",
        ),
        pytest.param(
            {"properties": {"a": {"$ref": "#/$defs/s"}}, "$defs": {"s": S}},
            {"properties": {"a": {"type": ["string", "null"]}}, "$defs": {"s": S}},
            "/properties/a/type",
            "type-widened",
            "backward",
            id="ref-inlined",
        ),
        pytest.param(
            TREE,
            with_(TREE, ("$defs", "node", "properties", "name", "maxLength"), 9),
            "/$defs/node/properties/name/maxLength",
            "bound-added",
            "forward",
            id="recursive-schema",
        ),
    ],
)
def test_keyword_families(
    old: dict[str, Any], new: dict[str, Any], pointer: str, kind: str, verdict: str
) -> None:
    found = diff_schemas(("old", {"x": old}), ("new", {"x": new}))
    if kind:
        the(found, "x", pointer, kind)
    else:
        assert found.changes == ()
    assert found.compatibility() == verdict, render_text(found, documentation=True)
    kinds_listed(found)


def test_a_ref_to_another_file_names_the_target() -> None:
    old = {"a": {"properties": {"e": {"$ref": "b.schema.json"}}}, "b": {"maxLength": 5}}
    new = {"a": {"properties": {"e": {"$ref": "b.schema.json"}}}, "b": {"maxLength": 6}}
    found = diff_schemas(("old", old), ("new", new))
    used = the(found, "a", "/properties/e", "ref-target")
    assert "b.schema.json" in used.reason
    assert (used.backward, used.forward) == (True, False)
    the(found, "b", "/maxLength", "bound-loosened")


def test_every_released_pair_is_quick(released: SchemaRegistry) -> None:
    """``make check`` runs the rule on every release: one pair takes well under a second."""
    import time

    start = time.perf_counter()
    release_problems(released)
    assert time.perf_counter() - start < 2.0


# --- soundness: a claimed direction is never contradicted by an instance ---------------------

KEYS = ("a", "b", "c")
VALUES: list[Any] = [None, True, 0, 1, 2, 1.5, -1, "", "a", "ab", "abc", [], [1], [1, 1], ["a", 2]]


def random_schema(rng: random.Random, depth: int = 0) -> dict[str, Any]:
    """A small schema of one or two keywords, nesting at most twice."""
    leaves: list[Callable[[], dict[str, Any]]] = [
        lambda: {"type": rng.choice(["string", "integer", "number", "null", "array", "object"])},
        lambda: {"type": rng.sample(["string", "integer", "number", "null"], 2)},
        lambda: {"enum": rng.sample([None, 1, 2, "a", "b", True], rng.randint(1, 3))},
        lambda: {"const": rng.choice([None, 1, "a"])},
        lambda: {rng.choice(["minLength", "maxLength", "minItems", "maxItems"]): rng.randint(0, 2)},
        lambda: {rng.choice(["minimum", "exclusiveMinimum", "maximum"]): rng.randint(0, 2)},
        lambda: {"multipleOf": rng.choice([1, 2, 0.5])},
        lambda: {"pattern": rng.choice(["^a", "b"])},
        lambda: {"uniqueItems": True},
        lambda: {"required": rng.sample(KEYS, rng.randint(1, 2))},
    ]
    nested: list[Callable[[], dict[str, Any]]] = [
        lambda: {"properties": {k: random_schema(rng, depth + 1) for k in rng.sample(KEYS, 2)}},
        lambda: {
            "properties": {k: random_schema(rng, depth + 1) for k in rng.sample(KEYS, 2)},
            "additionalProperties": False,
        },
        lambda: {"items": random_schema(rng, depth + 1)},
        lambda: {"contains": random_schema(rng, depth + 1)},
        lambda: {"not": random_schema(rng, depth + 1)},
        lambda: {rng.choice(["allOf", "anyOf", "oneOf"]): [random_schema(rng, depth + 1)] * 2},
        lambda: {"if": random_schema(rng, depth + 1), "then": random_schema(rng, depth + 1)},
        lambda: {"dependentSchemas": {"a": random_schema(rng, depth + 1)}},
    ]
    out: dict[str, Any] = {}
    for _ in range(rng.randint(1, 2)):
        out.update(rng.choice(leaves + nested if depth < 2 else leaves)())
    return out


def random_edit(rng: random.Random, schema: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(schema)
    keys = list(out)
    choice = rng.random()
    if choice < 0.3 and keys:
        del out[rng.choice(keys)]
    elif choice < 0.6:
        out.update(random_schema(rng, 2))
    elif keys and isinstance(out[key := rng.choice(keys)], dict) and key != "dependentSchemas":
        if key == "properties":
            name = rng.choice(list(out[key]))
            out[key][name] = random_edit(rng, out[key][name])
        else:
            out[key] = random_edit(rng, out[key])
    else:
        out = random_schema(rng)
    return out


def random_instances(rng: random.Random) -> list[Any]:
    objects = [
        {k: rng.choice(VALUES) for k in rng.sample(KEYS, rng.randint(0, 3))} for _ in range(60)
    ]
    arrays = [[rng.choice(VALUES) for _ in range(rng.randint(0, 3))] for _ in range(20)]
    return VALUES + objects + arrays


def test_no_claimed_direction_is_contradicted() -> None:
    """For random pairs of small schemas, an instance valid under the old schema is valid under
    the new whenever the verdict says backward, and the other way round for forward."""
    from jsonschema import Draft202012Validator

    rng = random.Random(20231212)
    claims = 0
    for _ in range(250):
        old = random_schema(rng)
        new = random_edit(rng, old)
        verdict = diff_schemas(("old", {"x": old}), ("new", {"x": new}))
        backward = all(c.backward for c in verdict.changes)
        forward = all(c.forward for c in verdict.changes)
        claims += backward + forward
        before, after = Draft202012Validator(old), Draft202012Validator(new)
        for instance in random_instances(rng):
            was, now = before.is_valid(instance), after.is_valid(instance)
            assert not (backward and was and not now), (old, new, instance)
            assert not (forward and now and not was), (old, new, instance)
    assert claims > 200  # the verdicts are not all "breaking"
