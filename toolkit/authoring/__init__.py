"""Authoring: the commands a contributor uses beside the validator (start a document, find
a quote's offsets, list what changed against a git ref). They read the dataset by the
validator's rules and write nothing it would refuse to read."""
