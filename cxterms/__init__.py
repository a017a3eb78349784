"""cxterms: a CX glossary and metrics toolkit for the terminal."""

__version__ = "0.1.0"
