"""Helpers shared by the tests and the benchmarks (a throwaway PostgreSQL server, ports)."""
