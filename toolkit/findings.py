"""The one Finding type, and the registry of the rule codes it may carry.

A rule code is a kebab-case slug that never changes meaning once released; each has a title,
a layer, a severity and a hint (what the contributor should do), as frictionless does for its
errors. Codes are declared by the module whose rules emit them (:func:`declare`);
:func:`toolkit.check.rule_codes.rule_codes` lists them all in documentation order.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


#: The layers of the checks, in the order they run and are documented.
LAYERS = ("file", "json", "schema", "evidence", "table")


@dataclass(frozen=True)
class RuleCode:
    """What a rule code means: its layer, title, hint and severity."""

    code: str
    layer: str
    title: str
    hint: str
    severity: Severity = Severity.ERROR


#: Every rule code declared so far, in the order declared.
RULE_CODES: dict[str, RuleCode] = {}


def declare(*codes: RuleCode) -> tuple[str, ...]:
    """Declare *codes* (once each; declaring one again the same way is harmless) and return
    their names.

    :raises ValueError: when a code is declared again with another meaning, or its layer is
        not one of :data:`LAYERS`.
    """
    for rule_code in codes:
        known = RULE_CODES.setdefault(rule_code.code, rule_code)
        if known != rule_code:
            raise ValueError(f"rule code {rule_code.code} is declared twice, differently")
        if rule_code.layer not in LAYERS:
            raise ValueError(f"{rule_code.code}: unknown layer {rule_code.layer!r}")
    return tuple(c.code for c in codes)


@dataclass(frozen=True, order=True)
class Finding:
    """One problem, located: file (relative to the dataset root), 1-based line and column,
    RFC 6901 JSON pointer, rule code, severity, message and hint."""

    file: str
    line: int
    column: int
    pointer: str
    code: str
    message: str
    severity: str = Severity.ERROR.value
    hint: str = ""
    schema_path: str = ""

    @classmethod
    def make(
        cls,
        code: str,
        message: str,
        *,
        file: str,
        pointer: str = "",
        line: int = 1,
        column: int = 1,
        schema_path: str = "",
        hint: str | None = None,
    ) -> Finding:
        """A finding of the declared *code*, with its severity and hint (*hint*, when given,
        says what to write in this case instead)."""
        rule = RULE_CODES[code]
        return cls(
            file=file,
            line=line,
            column=column,
            pointer=pointer,
            code=code,
            message=message,
            severity=rule.severity.value,
            hint=rule.hint if hint is None else hint,
            schema_path=schema_path,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def pointer_join(*parts: object) -> str:
    """RFC 6901 pointer from path parts: ``pointer_join("agreements", 0, "a/b")`` ->
    ``/agreements/0/a~1b``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def pointer_split(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/")]
