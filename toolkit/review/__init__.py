"""Review: what a reviewer reads beside the validator. The review site shows each record on
its evidence in the article text, with the document's findings at their spans; the semantic
diff says what a change to the dataset changes in meaning, record by record and field by
field."""
