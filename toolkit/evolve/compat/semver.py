"""SemVer: reading a ``MAJOR.MINOR.PATCH`` version, and which part of it a release raises."""

from __future__ import annotations

import re

_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


def semver_step(old: str, new: str) -> str:
    """Which part of the version a release from *old* to *new* raises.

    :returns: ``major``, ``minor`` or ``patch``.
    :raises ValueError: when either is not ``MAJOR.MINOR.PATCH`` or *new* is not later.

    >>> semver_step("1.0.0", "1.1.0"), semver_step("1.1.0", "2.0.0"), semver_step("1.1.0", "1.1.1")
    ('minor', 'major', 'patch')
    """
    before, after = _semver(old), _semver(new)
    if after <= before:
        raise ValueError(f"{new} does not come after {old}")
    if after[0] != before[0]:
        return "major"
    return "minor" if after[1] != before[1] else "patch"


def _semver(version: str) -> tuple[int, int, int]:
    match = _SEMVER.match(version)
    if match is None:
        raise ValueError(f"{version!r} is not a MAJOR.MINOR.PATCH version")
    return (int(match[1]), int(match[2]), int(match[3]))
