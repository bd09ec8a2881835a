"""Instructor tooling: check engine, trusted hidden-check runner, command line."""
