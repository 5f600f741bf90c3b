"""Texts of the intake's finding codes: (zh, en); `{value}` is the offending cell."""

MESSAGES: dict[str, tuple[str, str]] = {}
