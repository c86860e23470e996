"""The released JSON Schemas, loaded offline into an immutable `referencing.Registry`.

Every version lives in ``schemas/<version>/``; each file's ``$id`` contains the version, so
several versions sit side by side in one registry and a ``$ref`` never leaves its version.
Nothing is ever retrieved from the network or from outside ``schemas/``.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from toolkit.errors import SchemaDirectoryMissing, UnknownSchemaName, UnknownSchemaVersion
from toolkit.lexicon import TriggerLexicon

SCHEMA_SUFFIX = ".schema.json"
#: The trigger lexicon of a version, beside its schemas (from 1.1.0 on).
LEXICON_FILE = "triggers.json"
ID_BASE = "https://w3id.org/cnvn-visit/schemas/"
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
#: Record types that are whole documents rather than parts of one.
DOCUMENT_TYPES = ("annotation", "actor_registry")


def default_schema_dir() -> Path:
    """The ``schemas/`` folder: ``$TOOLKIT_SCHEMAS`` if set, else the copy an installed wheel
    carries inside the package, else the one beside it in a checkout of the repository (never
    a ``schemas/`` another distribution put in site-packages)."""
    env = os.environ.get("TOOLKIT_SCHEMAS")
    if env:
        return Path(env)
    package = Path(__file__).resolve().parent
    inside = package / "schemas"  # only an installed wheel has it: a checkout has no copy
    return inside if inside.is_dir() else package.parent / "schemas"


def version_key(version: str) -> tuple[int, int, int]:
    major, minor, patch = (int(p) for p in version.split("."))
    return (major, minor, patch)


def schema_uri(version: str, name: str) -> str:
    """The ``$id`` of record type *name* in *version*."""
    return f"{ID_BASE}{version}/{name}{SCHEMA_SUFFIX}"


@dataclass(frozen=True)
class SchemaRegistry:
    """All released schema versions found under *root*.

    :param root: the ``schemas/`` folder.
    :raises SchemaDirectoryMissing: when *root* has no version folders.

    >>> reg = SchemaRegistry.load()
    >>> reg.versions
    ['1.0.0', '1.1.0']
    >>> reg.latest
    '1.1.0'
    """

    root: Path
    schemas: dict[str, dict[str, dict[str, Any]]] = field(repr=False)
    #: version -> its trigger lexicon as stored (versions before 1.1.0 have none)
    lexicons: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    _validators: dict[tuple[str, ...], Any] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def load(cls, root: Path | None = None) -> SchemaRegistry:
        root = Path(root) if root is not None else default_schema_dir()
        if not root.is_dir():
            raise SchemaDirectoryMissing(
                f"no schemas folder at {root}; set TOOLKIT_SCHEMAS or run from the repository"
            )
        schemas: dict[str, dict[str, dict[str, Any]]] = {}
        lexicons: dict[str, dict[str, Any]] = {}
        for vdir in sorted(p for p in root.iterdir() if p.is_dir() and _SEMVER.match(p.name)):
            schemas[vdir.name] = {
                f.name.removesuffix(SCHEMA_SUFFIX): json.loads(f.read_text(encoding="utf-8"))
                for f in sorted(vdir.glob(f"*{SCHEMA_SUFFIX}"))
            }
            lexicon = vdir / LEXICON_FILE
            if lexicon.is_file():
                lexicons[vdir.name] = json.loads(lexicon.read_text(encoding="utf-8"))
        if not schemas:
            raise SchemaDirectoryMissing(f"{root} holds no schema version folders (e.g. 1.0.0/)")
        return cls(root=root, schemas=schemas, lexicons=lexicons)

    @property
    def versions(self) -> list[str]:
        """Released versions, oldest first."""
        return sorted(self.schemas, key=version_key)

    @property
    def latest(self) -> str:
        return self.versions[-1]

    def check_version(self, version: object) -> str:
        """Return *version* if released, else raise with the list of known versions."""
        if not isinstance(version, str) or version not in self.schemas:
            known = ", ".join(self.versions)
            raise UnknownSchemaVersion(
                f"unknown schema version {version!r}; known versions: {known}"
            )
        return version

    def record_types(self, version: str | None = None) -> list[str]:
        """Names of the record types of *version* (the latest by default)."""
        version = self.check_version(version or self.latest)
        return sorted(n for n in self.schemas[version] if n != "defs")

    def lexicon(self, version: str | None = None) -> dict[str, Any] | None:
        """The trigger lexicon of *version* (the latest by default) as stored, or None for a
        version that has none (1.0.0)."""
        return self.lexicons.get(self.check_version(version or self.latest))

    def trigger_lexicon(self, version: str) -> TriggerLexicon | None:
        """The trigger lexicon of *version*, ready to match quotes (cached), or None."""
        stored = self.lexicon(version)
        if stored is None:
            return None
        key = ("lexicon", version)
        if key not in self._validators:
            self._validators[key] = TriggerLexicon.of(stored)
        return self._validators[key]  # type: ignore[no-any-return]

    def schema(self, name: str, version: str | None = None) -> dict[str, Any]:
        version = self.check_version(version or self.latest)
        try:
            return self.schemas[version][name]
        except KeyError:
            known = ", ".join(self.record_types(version))
            raise UnknownSchemaName(
                f"no record type {name!r} in schema {version}; known: {known}"
            ) from None

    def path(self, name: str, version: str) -> Path:
        self.schema(name, version)
        return self.root / version / f"{name}{SCHEMA_SUFFIX}"

    @cached_property
    def referencing(self) -> Any:
        """An immutable ``referencing.Registry`` of every schema of every version.

        It has no ``retrieve`` function, so a ``$ref`` to anything not loaded here fails
        instead of reaching the network or the file system.
        """
        from referencing import Resource

        return self._referencing_of(Resource.from_contents)

    @cached_property
    def _undeclared_referencing(self) -> Any:
        """The registry :meth:`validator` resolves ``$ref`` in: :func:`python_registry` of
        every schema."""
        return python_registry((doc["$id"], doc) for doc in self._every_schema())

    def _referencing_of(self, resource: Callable[[dict[str, Any]], Any]) -> Any:
        """A crawled ``referencing.Registry`` of ``resource(schema)`` for every schema."""
        from referencing import Registry

        resources = [(doc["$id"], resource(doc)) for doc in self._every_schema()]
        return Registry().with_resources(resources).crawl()

    def _every_schema(self) -> Iterator[dict[str, Any]]:
        """Every schema of every version, ``defs`` included."""
        for version in self.versions:
            yield from self.schemas[version].values()

    def fast_validator(self, name: str, version: str | None = None) -> Any:
        """A compiled (jsonschema-rs) validator for record type *name* (see
        :func:`compiled_validator`), used only to say quickly that a document is valid; None
        when jsonschema-rs is not installed.

        Its verdicts never accept what :meth:`validator` rejects: both read ``pattern`` as
        ECMA-262 does, and ``tests/test_fastpath.py`` compares the two validators' verdicts.
        """
        version = self.check_version(version or self.latest)
        key = ("fast", name, version)
        if key not in self._validators:
            try:
                registry = compiled_registry((d["$id"], d) for d in self._every_schema())
            except ImportError:  # pragma: no cover - an optional speed-up
                return None
            self._validators[key] = compiled_validator(self.schema(name, version), registry)
        return self._validators[key]

    def validator(self, name: str, version: str | None = None) -> Any:
        """A Draft 2020-12 validator for record type *name* (see :func:`python_validator`),
        with format checking, cached."""
        version = self.check_version(version or self.latest)
        if (name, version) not in self._validators:
            self._validators[(name, version)] = python_validator(
                self.schema(name, version), self._undeclared_referencing
            )
        return self._validators[(name, version)]


def python_registry(documents: Iterable[tuple[str, Any]]) -> Any:
    """A crawled ``referencing.Registry`` of *documents* (pairs of URI and schema) for
    :func:`python_validator`: each a Draft 2020-12 resource with its ``$schema`` left out, so
    that python-jsonschema, following a ``$ref``, stays with :func:`ecma_validator_class`
    instead of the class registered for that ``$schema``. It has no ``retrieve`` function: a
    ``$ref`` to anything else fails instead of reaching the network or the file system."""
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    resources = [(uri, DRAFT202012.create_resource(_undeclared(doc))) for uri, doc in documents]
    return Registry().with_resources(resources).crawl()


def python_validator(schema: Any, registry: Any) -> Any:
    """The python-jsonschema validator of *schema*: an :func:`ecma_validator_class` instance
    asserting ``format``, its ``$schema`` left out, resolving ``$ref`` only in *registry* (a
    :func:`python_registry`) and in the Draft 2020-12 metaschemas."""
    from jsonschema import Draft202012Validator

    return ecma_validator_class()(
        _undeclared(schema),
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def compiled_registry(documents: Iterable[tuple[str, Any]]) -> Any:
    """A ``jsonschema_rs.Registry`` of *documents* (pairs of URI and schema) for
    :func:`compiled_validator`, which retrieves nothing else.

    :raises ImportError: when jsonschema-rs is not installed.
    """
    import jsonschema_rs

    return jsonschema_rs.Registry(list(documents), retriever=_refuse_retrieval)


def compiled_validator(schema: Any, registry: Any) -> Any:
    """The compiled (jsonschema-rs) validator of *schema*: its draft chosen by its
    ``$schema``, asserting ``format``, resolving ``$ref`` only in *registry* (a
    :func:`compiled_registry`) and in the metaschemas jsonschema-rs carries.

    :raises ImportError: when jsonschema-rs is not installed.
    """
    import jsonschema_rs

    return jsonschema_rs.validator_for(
        schema, registry=registry, retriever=_refuse_retrieval, validate_formats=True
    )


@lru_cache(maxsize=1)
def ecma_validator_class() -> Any:
    """Draft 2020-12 with every regular expression of the schema (``pattern``,
    ``patternProperties``, and ``additionalProperties`` beside ``patternProperties``) read as
    JSON Schema defines it, in ECMA-262's dialect (:func:`_ecma_regex`). Python's dialect
    differs: its ``$`` also matches before a final newline; its ``\\d``, ``\\w`` and ``\\s``
    are Unicode classes unlike ECMA-262's (its ``\\s`` leaves out U+FEFF, so ``\\S`` finds a
    non-space in a text of only U+FEFF); its ``.`` matches CR, U+2028 and U+2029; it has no
    ``\\cX``, ``\\u{...}`` or ``\\p{...}``.

    The schemas it validates leave out their ``$schema`` (:func:`python_registry`):
    python-jsonschema picks a ``$ref``'s class by the ``$schema`` it finds there, which would
    be the stock one. ``unevaluatedProperties`` still matches ``patternProperties`` with
    Python's dialect (python-jsonschema gives no seam for it)."""
    from jsonschema import Draft202012Validator, ValidationError, validators

    stock_additional = Draft202012Validator.VALIDATORS["additionalProperties"]

    def pattern(validator: Any, patrn: str, instance: Any, schema: Any) -> Any:
        if validator.is_type(instance, "string") and not _ecma_regex(patrn).search(instance):
            yield ValidationError(f"{instance!r} does not match {patrn!r}")

    def pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Any:
        if not validator.is_type(instance, "object"):
            return
        for patrn, subschema in patterns.items():
            for key, value in instance.items():
                if _ecma_regex(patrn).search(key):
                    yield from validator.descend(value, subschema, path=key, schema_path=patrn)

    def additional_properties(validator: Any, extra: Any, instance: Any, schema: Any) -> Any:
        if "patternProperties" not in schema or not validator.is_type(instance, "object"):
            yield from stock_additional(validator, extra, instance, schema)
            return
        named, patterns = schema.get("properties", {}), schema["patternProperties"]
        extras = [
            key
            for key in instance
            if key not in named and not any(_ecma_regex(p).search(key) for p in patterns)
        ]
        if validator.is_type(extra, "object"):
            for key in extras:
                yield from validator.descend(instance[key], extra, path=key)
        elif not extra and extras:
            verb = "does" if len(extras) == 1 else "do"
            joined = ", ".join(repr(each) for each in sorted(extras))
            listed = ", ".join(repr(each) for each in sorted(patterns))
            yield ValidationError(f"{joined} {verb} not match any of the regexes: {listed}")

    return validators.extend(
        Draft202012Validator,
        {
            "pattern": pattern,
            "patternProperties": pattern_properties,
            "additionalProperties": additional_properties,
        },
    )


def _undeclared(schema: Any) -> Any:
    """*schema* without its ``$schema`` (a boolean schema as it is)."""
    if not isinstance(schema, dict):
        return schema
    return {k: v for k, v in schema.items() if k != "$schema"}


def _refuse_retrieval(uri: str) -> Any:
    raise LookupError(f"{uri} is not a released schema; nothing is retrieved")


#: A set of code points: sorted, disjoint, non-adjacent inclusive ranges.
_CodePoints = tuple[tuple[int, int], ...]

_MAX_CODE_POINT = 0x10FFFF
#: ECMA-262's ``\s``: WhiteSpace (tab, vertical tab, form feed, space, no-break space, U+FEFF
#: and the Unicode category Zs) and LineTerminator (line feed, carriage return, U+2028 and
#: U+2029).
_ECMA_SPACE: _CodePoints = (
    (0x09, 0x0D),
    (0x20, 0x20),
    (0xA0, 0xA0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
    (0xFEFF, 0xFEFF),
)
#: ECMA-262's ``\d``: the ASCII digits.
_ECMA_DIGIT: _CodePoints = ((0x30, 0x39),)
#: ECMA-262's ``\w``: ASCII letters, digits and the underscore.
_ECMA_WORD: _CodePoints = ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A))
#: ECMA-262's LineTerminator, which ``.`` does not match.
_LINE_TERMINATORS: _CodePoints = ((0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029))
_CLASS_ESCAPES = {"d": _ECMA_DIGIT, "w": _ECMA_WORD, "s": _ECMA_SPACE}

#: The General_Category values and their aliases (Unicode's PropertyValueAliases.txt), which
#: ECMA-262 accepts in ``\p{...}`` alone or after ``General_Category=`` or ``gc=``.
_CATEGORY_ALIASES: dict[str, tuple[str, ...]] = {
    "C": ("Other",),
    "Cc": ("Control", "cntrl"),
    "Cf": ("Format",),
    "Cn": ("Unassigned",),
    "Co": ("Private_Use",),
    "Cs": ("Surrogate",),
    "L": ("Letter",),
    "LC": ("Cased_Letter",),
    "Ll": ("Lowercase_Letter",),
    "Lm": ("Modifier_Letter",),
    "Lo": ("Other_Letter",),
    "Lt": ("Titlecase_Letter",),
    "Lu": ("Uppercase_Letter",),
    "M": ("Mark", "Combining_Mark"),
    "Mc": ("Spacing_Mark",),
    "Me": ("Enclosing_Mark",),
    "Mn": ("Nonspacing_Mark",),
    "N": ("Number",),
    "Nd": ("Decimal_Number", "digit"),
    "Nl": ("Letter_Number",),
    "No": ("Other_Number",),
    "P": ("Punctuation", "punct"),
    "Pc": ("Connector_Punctuation",),
    "Pd": ("Dash_Punctuation",),
    "Pe": ("Close_Punctuation",),
    "Pf": ("Final_Punctuation",),
    "Pi": ("Initial_Punctuation",),
    "Po": ("Other_Punctuation",),
    "Ps": ("Open_Punctuation",),
    "S": ("Symbol",),
    "Sc": ("Currency_Symbol",),
    "Sk": ("Modifier_Symbol",),
    "Sm": ("Math_Symbol",),
    "So": ("Other_Symbol",),
    "Z": ("Separator",),
    "Zl": ("Line_Separator",),
    "Zp": ("Paragraph_Separator",),
    "Zs": ("Space_Separator",),
}
_CATEGORY_BY_NAME = {
    name: short for short, aliases in _CATEGORY_ALIASES.items() for name in (short, *aliases)
}


@lru_cache(maxsize=256)
def _ecma_regex(pattern: str) -> re.Pattern[str]:
    """*pattern*, an ECMA-262 regular expression (with the ``u`` flag, as JSON Schema reads
    it), compiled as the Python one that matches the same strings.

    Rewritten, outside character classes: each ``$`` as ``\\Z`` (the end of the string, never
    before a final newline), ``.`` as any character but a line terminator, ``(?<name>`` and
    ``\\k<name>`` as Python's named group and backreference. Everywhere: ``\\d \\D \\w \\W \\s
    \\S`` as ECMA-262's sets (ASCII digits, ASCII word characters, ECMA-262's spaces),
    ``\\cX`` as the control character, ``\\u{...}`` and a surrogate pair of ``\\uXXXX`` as the
    code point, ``\\p{...}`` and ``\\P{...}`` of a General_Category (or ``Any``, ``ASCII``,
    ``Assigned``) as its code points in Python's Unicode database (the Unicode version of the
    running Python, which may be older than jsonschema-rs's).

    Left as Python reads them: ``\\b`` and ``\\B`` (Unicode word characters, as jsonschema-rs
    also reads them; ECMA-262's are ASCII), a ``]`` first in a class (a member of it, as in
    jsonschema-rs; ECMA-262's ``[]`` is empty), syntax only Python has (``(?i)``, ``\\A``,
    ``\\Z``, ``(?P<name>``, possessive quantifiers and atomic groups are accepted).

    :raises re.error: for a ``\\p{...}`` of a script or of another binary property (which
        Python's Unicode database does not have), a lookbehind of variable length (which
        Python does not have), and any pattern neither dialect accepts.
    """
    return re.compile(_ecma_to_python(pattern))


def _ecma_to_python(pattern: str) -> str:
    """The source of the Python regular expression :func:`_ecma_regex` compiles."""
    out: list[str] = []
    i, in_class, first = 0, False, -1
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            piece, i = _escape(pattern, i, in_class)
            out.append(piece)
            continue
        if in_class:
            in_class = c != "]" or i == first  # a "]" first in a class is a member of it
        elif c == "[":
            in_class = True
            first = i + 2 if pattern.startswith("^", i + 1) else i + 1
        elif c == "$":
            c = "\\Z"
        elif c == ".":
            c = _code_point_class(_LINE_TERMINATORS, negated=True, in_class=False)
        elif pattern.startswith("(?<", i) and not pattern.startswith(("(?<=", "(?<!"), i):
            out.append("(?P<")
            i += 3
            continue
        out.append(c)
        i += 1
    return "".join(out)


_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")


def _escape(pattern: str, i: int, in_class: bool) -> tuple[str, int]:
    """The Python text for the escape at ``pattern[i]`` (a backslash), and the index after
    it."""
    letter = pattern[i + 1 : i + 2]
    if letter.lower() in _CLASS_ESCAPES:
        points = _CLASS_ESCAPES[letter.lower()]
        return _code_point_class(points, negated=letter.isupper(), in_class=in_class), i + 2
    if letter == "c" and pattern[i + 2 : i + 3].isascii() and pattern[i + 2 : i + 3].isalpha():
        return _char(ord(pattern[i + 2]) % 32), i + 3
    if letter and letter in "pP" and pattern.startswith("{", i + 2):
        close = pattern.find("}", i + 3)
        if close > 0:
            points = _property(pattern[i + 3 : close])
            return _code_point_class(points, negated=letter == "P", in_class=in_class), close + 1
    if letter == "u" and pattern.startswith("{", i + 2):
        close = pattern.find("}", i + 3)
        digits = pattern[i + 3 : close] if close > 0 else ""
        if digits and all(d in "0123456789abcdefABCDEF" for d in digits):
            if int(digits, 16) > _MAX_CODE_POINT:
                raise re.error(f"\\u{{{digits}}} is beyond U+10FFFF", pattern, i)
            return _char(int(digits, 16)), close + 1
    if letter == "u" and _HEX4.fullmatch(pattern, i + 2, i + 6):
        high = int(pattern[i + 2 : i + 6], 16)
        if (
            0xD800 <= high <= 0xDBFF
            and pattern.startswith("\\u", i + 6)
            and _HEX4.fullmatch(pattern, i + 8, i + 12)
            and 0xDC00 <= (low := int(pattern[i + 8 : i + 12], 16)) <= 0xDFFF
        ):
            return _char(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)), i + 12
    if letter == "k" and not in_class and pattern.startswith("<", i + 2):
        close = pattern.find(">", i + 3)
        if close > 0:
            return f"(?P={pattern[i + 3 : close]})", close + 1
    return pattern[i : i + 2], i + 2


def _property(name: str) -> _CodePoints:
    """The code points of the Unicode property *name* of a ``\\p{name}``."""
    key, equals, value = name.partition("=")
    if equals and key not in ("General_Category", "gc"):
        raise re.error(f"\\p{{{name}}}: Python's Unicode database has no property {key!r}")
    if not equals and name in ("Any", "ASCII", "Assigned"):
        return {
            "Any": ((0, _MAX_CODE_POINT),),
            "ASCII": ((0, 0x7F),),
            "Assigned": _complement(_category_code_points("Cn")),
        }[name]
    short = _CATEGORY_BY_NAME.get(value if equals else name)
    if short is None:
        raise re.error(f"\\p{{{name}}}: not a General_Category value Python's Unicode has")
    return _category_code_points(short)


@lru_cache(maxsize=64)
def _category_code_points(short: str) -> _CodePoints:
    """The code points whose General_Category is *short* (``Lu``) or in the group *short*
    (``L``, all ``L*``; ``LC`` is ``Ll``, ``Lt`` and ``Lu``)."""

    def member(cat: str) -> bool:
        if short == "LC":
            return cat in ("Ll", "Lt", "Lu")
        return cat == short or (len(short) == 1 and cat[0] == short)

    return _merged((lo, hi) for lo, hi, cat in _category_runs() if member(cat))


@lru_cache(maxsize=1)
def _category_runs() -> tuple[tuple[int, int, str], ...]:
    """Every code point in runs of one General_Category: ``(first, last, category)``."""
    runs: list[tuple[int, int, str]] = []
    start, current = 0, unicodedata.category("\x00")
    for cp in range(1, _MAX_CODE_POINT + 1):
        cat = unicodedata.category(chr(cp))
        if cat != current:
            runs.append((start, cp - 1, current))
            start, current = cp, cat
    runs.append((start, _MAX_CODE_POINT, current))
    return tuple(runs)


def _merged(ranges: Iterable[tuple[int, int]]) -> _CodePoints:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(hi, out[-1][1]))
        else:
            out.append((lo, hi))
    return tuple(out)


def _complement(points: _CodePoints) -> _CodePoints:
    out: list[tuple[int, int]] = []
    start = 0
    for lo, hi in points:
        if lo > start:
            out.append((start, lo - 1))
        start = hi + 1
    if start <= _MAX_CODE_POINT:
        out.append((start, _MAX_CODE_POINT))
    return tuple(out)


def _code_point_class(points: _CodePoints, *, negated: bool, in_class: bool) -> str:
    """*points* (or all others when *negated*) as a Python character class, or as the
    members to write inside the class the pattern is in."""
    if in_class:
        return "".join(_members(_complement(points) if negated else points))
    return f"[{'^' if negated else ''}{''.join(_members(points))}]"


def _members(points: _CodePoints) -> Iterator[str]:
    for lo, hi in points:
        yield _char(lo) if lo == hi else f"{_char(lo)}-{_char(hi)}"


def _char(cp: int) -> str:
    """Code point *cp* escaped for a Python regular expression."""
    if cp < 0x100:
        return f"\\x{cp:02x}"
    return f"\\u{cp:04x}" if cp < 0x10000 else f"\\U{cp:08x}"
