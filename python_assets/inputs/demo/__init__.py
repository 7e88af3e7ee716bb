"""Deterministic generator of the demo retail network."""
