"""Harmonization: staging, agency resolution, entity resolution, stable ids and the merge."""
