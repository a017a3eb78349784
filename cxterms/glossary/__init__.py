"""The glossary engine: term schema, loading and layering, lookup, search, lint."""
