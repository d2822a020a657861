"""Test harness: pytest plugin, live server, Hypothesis strategies and invariants."""
