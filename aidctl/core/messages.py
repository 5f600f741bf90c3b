"""Texts of the core's finding and reason codes: (zh, en)."""

MESSAGES: dict[str, tuple[str, str]] = {}
