"""Tests of python_assets/optimization, one module per tested module."""
