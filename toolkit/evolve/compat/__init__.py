"""The compatibility verdict between two versions of the schemas, in Confluent Schema
Registry's terms.

* **backward**: the new schema accepts all data valid under the old (consumers on the new
  version read old data);
* **forward**: the old schema accepts all data valid under the new;
* **full**: both; **breaking**: neither.

:func:`diff_schemas` compares every record type (every ``*.schema.json`` of either version)
structurally, following ``$ref`` within each version, and lists each change at its JSON
pointer with the directions it keeps and why. There is one comparer per keyword family
(``_type``, ``_enum``, ``_required_names``, ...), in the manner of jsonschema's keyword
functions. Judgements are conservative: a direction is kept only when the schemas show it. A
constraint that one side adds is checked against the other side by a small prover
(:func:`~toolkit.evolve.compat.prover._implies`), so a new ``allOf`` entry that only touches
properties the old object forbids still keeps backward compatibility, while one that can bite
old data does not.

>>> old = ("a", {"x": {"type": "object", "properties": {"n": {"enum": [1, 2]}}}})
>>> new = ("b", {"x": {"type": "object", "properties": {"n": {"enum": [1]}}}})
>>> verdict = diff_schemas(old, new)
>>> verdict.compatibility(), verdict.changes[0].pointer, verdict.changes[0].kind
('forward', '/properties/n/enum', 'enum-narrowed')

The modules, each importing only those listed after it:

* :mod:`.release`: loading a schema set (a release or a folder of drafts) and the SemVer
  release rule; :mod:`.render`: the verdict as text and Markdown;
* :mod:`.differ`: :func:`diff_schemas` and the walk over two schema sets, which runs the
  comparers in order;
* the comparers, one module per keyword family: :mod:`.compare_meta` (documentation, version
  stamps, annotations, unknown keywords), :mod:`.compare_assertions` (type, enum, required,
  bounds, pattern, format, uniqueItems), :mod:`.compare_subschemas` (properties, items,
  contains and the other subschemas of parts of the instance), :mod:`.compare_refs` (``$ref``,
  ``$defs``) and :mod:`.compare_combinators` (not, if/then/else, allOf, anyOf, oneOf);
* :mod:`.walk`: where the walk is (both sides, the facts of the enclosing nodes) and what a
  comparer asks of the differ; :mod:`.prover`: whether one schema implies or excludes another;
* :mod:`.schema_set`: one version's schemas with ``$ref`` resolved;
* :mod:`.values`: small helpers on JSON values and types; :mod:`.semver`: SemVer versions;
* :mod:`.verdict`: :class:`Change`, :class:`Verdict` and the kinds of change.
"""

from toolkit.evolve.compat.differ import diff_schemas
from toolkit.evolve.compat.release import (
    UnknownSchemaSet,
    UnreadableSchemaSet,
    load_schema_set,
    release_problems,
)
from toolkit.evolve.compat.render import render_markdown, render_text
from toolkit.evolve.compat.semver import semver_step
from toolkit.evolve.compat.verdict import (
    COMPATIBILITIES,
    DOCUMENTATION_KEYWORDS,
    FORMAT_VERSION,
    KINDS,
    Change,
    Verdict,
)

__all__ = [
    "COMPATIBILITIES",
    "DOCUMENTATION_KEYWORDS",
    "FORMAT_VERSION",
    "KINDS",
    "Change",
    "UnknownSchemaSet",
    "UnreadableSchemaSet",
    "Verdict",
    "diff_schemas",
    "load_schema_set",
    "release_problems",
    "render_markdown",
    "render_text",
    "semver_step",
]
