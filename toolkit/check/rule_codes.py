"""Every rule code the checks can emit, as the modules that emit them declare them."""

from __future__ import annotations

from toolkit.check import per_file, table_rules
from toolkit.findings import LAYERS, RULE_CODES, RuleCode


def rule_codes() -> dict[str, RuleCode]:
    """Every declared rule code, in documentation order: by layer, then as declared.

    >>> list(rule_codes())[:2]
    ['file-unreadable', 'file-name-invalid']
    """
    declaring = (per_file, table_rules)  # they import every other module that declares codes
    assert all(declaring)
    return {c.code: c for layer in LAYERS for c in RULE_CODES.values() if c.layer == layer}
