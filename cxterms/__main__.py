"""``python -m cxterms``."""

from cxterms.cli import main

if __name__ == "__main__":
    main()
