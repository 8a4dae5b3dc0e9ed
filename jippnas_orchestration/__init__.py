"""JIPPNas orchestration: domain logic (plain functions over DataFrames) and the Dagster wiring."""
