"""The ledger: what every apply did, kept in git (an orphan branch) or a folder, and the
emergency locks of the environments. Records are only ever added: two writers never lose
each other's record, and a record is never rewritten."""
