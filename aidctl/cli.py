"""Command line (placeholder while the commands are built)."""


def main() -> None:
    raise SystemExit(0)
