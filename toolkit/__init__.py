"""Validation and export toolkit for the annotated China-Vietnam visit dataset."""

from __future__ import annotations
