"""Publishing: the export, a client of checking. It hands the per-file pass a builder of
the published rows, and from the tables it gets back writes Parquet, JSON Lines, the Data
Package, Croissant metadata and the data card into a new folder swapped in atomically."""
