"""Shared pytest configuration."""

pytest_plugins = ["pytester"]  # runs a session of its own where a test needs a fixed order
