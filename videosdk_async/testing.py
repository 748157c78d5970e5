"""Pytest plugin: the emulator as a fixture (filled in by the emulator work)."""
