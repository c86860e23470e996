"""The trigger lexicon: the cue words and phrases of agreement triggers and the statuses and
factualities each allows (``schemas/<version>/triggers.json``, from schema 1.1.0 on).

A trigger's cue is the longest form of any cue found in its quote, matched case-insensitively
on word boundaries, any run of white space matching one space and ``’`` matching ``'``; on a
tie, the form that stands first in the quote. So "are expected to sign" carries ``expected``,
not ``signed``.

>>> lexicon = TriggerLexicon.of({"cues": [
...     {"cue": "signed", "forms": ["signed", "sign"], "statuses": ["signed"],
...      "factualities": ["asserted"], "meaning": "A signature is reported."},
...     {"cue": "expected", "forms": ["expected to"], "statuses": ["expected"],
...      "factualities": ["planned"], "meaning": "Still to come."}]})
>>> lexicon.cue_of("are expected to  sign").cue
'expected'
>>> lexicon.cue_of("signed dozens of pacts").statuses
('signed',)
>>> lexicon.cue_of("a design") is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Cue:
    """One cue of the lexicon: its name, its forms, what it allows, what it means."""

    cue: str
    forms: tuple[str, ...]
    statuses: tuple[str, ...]
    factualities: tuple[str, ...]
    meaning: str


@dataclass(frozen=True)
class CueMatch:
    """The cue found in a quote, and the form of it that was found there."""

    cue: Cue
    form: str

    @property
    def name(self) -> str:
        return self.cue.cue


@dataclass(frozen=True)
class TriggerLexicon:
    """The cues of one schema version, with one regular expression that finds their forms."""

    cues: tuple[Cue, ...]
    _by_form: dict[str, Cue]
    _pattern: re.Pattern[str]

    @classmethod
    def of(cls, stored: dict[str, Any]) -> TriggerLexicon:
        """The lexicon of *stored* (``triggers.json`` as parsed, valid against its schema).

        :raises ValueError: when one form belongs to two cues (the lexicon is ambiguous).
        """
        cues = tuple(
            Cue(
                c["cue"],
                tuple(c["forms"]),
                tuple(c["statuses"]),
                tuple(c["factualities"]),
                c["meaning"],
            )
            for c in stored["cues"]
        )
        by_form: dict[str, Cue] = {}
        for cue in cues:
            for form in cue.forms:
                key = normalized(form)
                if key in by_form and by_form[key] is not cue:
                    raise ValueError(
                        f"the form {form!r} belongs to {by_form[key].cue} and {cue.cue}"
                    )
                by_form[key] = cue
        # longest first, so that the alternation prefers "expected to" over "expected"
        alternatives = sorted(by_form, key=lambda f: (-len(f), f))
        body = "|".join(re.escape(f) for f in alternatives)
        # a lookahead finds a form at every position in one scan, overlapping ones included
        return cls(cues, by_form, re.compile(rf"(?<![\w'])(?=((?:{body}))(?![\w']))"))

    def cue_of(self, quote: str) -> Cue | None:
        """The cue *quote* carries (see the module docstring), or None."""
        found = self.match(quote)
        return found.cue if found is not None else None

    def match(self, quote: str) -> CueMatch | None:
        """The cue *quote* carries and the form found, or None when it holds no form."""
        best = ""
        for m in self._pattern.finditer(normalized(quote)):
            if len(m.group(1)) > len(best):  # the longest; on a tie, the first
                best = m.group(1)
        return CueMatch(self._by_form[best], best) if best else None


def normalized(text: str) -> str:
    """*text* as forms are matched: lowercase, ``’`` as ``'``, white space runs as one
    space, without leading or trailing space."""
    return " ".join(text.replace("’", "'").casefold().split())
