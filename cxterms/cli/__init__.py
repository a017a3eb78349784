"""The Typer command-line layer: parses, calls the core, renders. Never computes."""


def main() -> None:
    """Entry point of the ``cxterms`` console script."""
    try:
        from .app import main as _main
    except KeyboardInterrupt:  # Ctrl-C while starting up: no traceback from an import
        import sys

        sys.stderr.write("cxterms: interrupted\n")
        raise SystemExit(130) from None
    _main()
