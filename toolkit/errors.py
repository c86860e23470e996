"""Exceptions for a broken environment or a wrong call; invalid *data* is reported as findings."""

from __future__ import annotations


class ToolkitError(Exception):
    """Base class: something about the tool's environment or its call is wrong (exit status 2)."""


class SchemaDirectoryMissing(ToolkitError):
    """The `schemas/` folder holding the released JSON Schemas cannot be found."""


class UnknownSchemaVersion(ToolkitError):
    """A schema version was asked for that is not released in `schemas/`."""


class UnknownSchemaName(ToolkitError):
    """A record type was asked for that the schema version does not define."""


class ArticleNotFound(ToolkitError):
    """The article id names no file in `seeds/articles/`."""


class QuoteNotFound(ToolkitError):
    """The quote does not occur in the article text."""


class QuoteAmbiguous(ToolkitError):
    """The quote occurs more than once in the article text."""


class DatasetLayoutError(ToolkitError):
    """The dataset root does not have the `seeds/articles` and `seeds/annotations` layout."""


class RootNotLocal(ToolkitError):
    """The command needs a dataset folder of this machine, and the root is a URL."""


class ExportLocked(ToolkitError):
    """Another export is writing to the same `exports/` folder."""


class ExportTargetRefused(ToolkitError):
    """The folder given to publish into is one an export must not replace."""


class MetadataUnreadable(ToolkitError):
    """A metadata file the export publishes from (``seeds/dataset.json``, ``CITATION.cff``,
    ``seeds/card.md``) cannot be read: too large, not UTF-8, not JSON."""


class ExportFailed(ToolkitError):
    """Writing the exports failed (disk full, permissions); the previous exports are intact."""


class AnnotationExists(ToolkitError):
    """`toolkit new` would overwrite an annotation document without ``--force``."""


class UnsafePath(ToolkitError):
    """A path of the dataset is a link or special file the validator would not read."""


class NotWritable(ToolkitError):
    """A file of the dataset cannot be written (a read-only checkout, permissions)."""


class ExportsNotFound(ToolkitError):
    """The folder given to `load_dataset` holds no published tables (no `parquet/`)."""
