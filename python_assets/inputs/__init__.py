"""The input contract, its validation, and the datasets that feed it (demo, FreshRetailNet, your own files)."""
