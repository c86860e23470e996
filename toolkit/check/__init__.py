"""Checking: every annotation file loaded strictly, checked against its schema version and
its article, flattened into rows, and the whole dataset checked as tables. The result is a
report of findings; nothing here knows what is published."""
