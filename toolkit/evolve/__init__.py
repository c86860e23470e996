"""Schema evolution: compatibility verdicts between schema versions and migrations of
documents from one released version to a later one."""
