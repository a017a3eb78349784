"""Shared fixtures: an isolated home, a CliRunner wrapper, small term files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxterms.cli.app import app
from cxterms.cli.env import Environment

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).parent.parent


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    """No test sees the user's home, config, cache or colour settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("CXTERMS_PAGER", "")  # tests that page set their own pager
    for var in ("CXTERMS_GLOSSARY_PATH", "NO_COLOR", "CXTERMS_DEBUG", "FORCE_COLOR"):
        monkeypatch.delenv(var, raising=False)
    return home


class Run:
    """Invoke the cxterms app in-process; stdout and stderr kept apart."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args, input=None, tty: bool = False, stdin_tty: bool = False, env=None, today=None):
        obj = Environment(stdout_isatty=tty, stderr_isatty=tty, stdin_isatty=stdin_tty, today=today)
        result = self.runner.invoke(app, [str(a) for a in args], input=input, env=env, obj=obj, catch_exceptions=False)
        return result


@pytest.fixture
def run() -> Run:
    return Run()


def write_terms(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def terms_file(tmp_path):
    """Factory: write a YAML term file under tmp_path and return its path."""

    def make(text: str, name: str = "terms.yaml") -> Path:
        return write_terms(tmp_path / name, text)

    return make


def entry(id_: str, term: str, *, aliases=(), category="Testing", summary=None, definition=None, related=(), extra="") -> str:
    """One YAML list item with valid required fields."""
    summary = summary or f"A short gloss of {term.lower()}."
    definition = definition or f"{term} is a test entry. It exists to exercise the engine."
    lines = [f"- id: {id_}", f"  term: {term}"]
    if aliases:
        lines.append("  aliases: [" + ", ".join(f'"{a}"' for a in aliases) + "]")
    lines += [f"  category: {category}", f'  summary: "{summary}"', f'  definition: "{definition}"']
    if related:
        lines.append("  related: [" + ", ".join(related) + "]")
    if extra:
        lines.append(textwrap.indent(textwrap.dedent(extra).strip("\n"), "  "))
    return "\n".join(lines) + "\n"

