"""The Typer command-line layer: parses, calls the core, renders. Never computes."""


def main() -> None:
    """Entry point of the ``cxterms`` console script."""
    from .app import main as _main

    _main()
