"""Parallel search: the chief serves the oracle, worker processes train the trials."""
