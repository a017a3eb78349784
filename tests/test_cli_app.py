"""The root command: version, help, usage errors, pipes, debug, python -m."""

import os
import subprocess
import sys

import pytest

from cxterms import __version__
from cxterms.cli.app import COMMANDS

from .conftest import DATA, REPO


def subprocess_env(**extra):
    env = dict(os.environ, PYTHONPATH=str(REPO), **extra)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def test_version(run):
    for flag in ("--version", "-V"):
        r = run(flag)
        assert r.exit_code == 0 and r.stdout == f"cxterms {__version__}\n"


def test_version_matches_pyproject():
    import re

    text = (REPO / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in text  # one source of truth: cxterms/__init__.py
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


def test_python_dash_m(tmp_path):
    r = subprocess.run([sys.executable, "-m", "cxterms", "--version"], capture_output=True, text=True, env=subprocess_env(), cwd=tmp_path)
    assert r.returncode == 0 and r.stdout == f"cxterms {__version__}\n"


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_has_help_with_an_example(run, name):
    r = run(name, "--help")
    assert r.exit_code == 0
    assert "Example" in r.stdout, f"{name} --help has no Example block"
    assert COMMANDS[name][1]  # one-line help in the registry


def test_registry_matches_modules():
    import importlib

    for name, (module, _) in COMMANDS.items():
        mod = importlib.import_module(module)
        names = [i.name or i.callback.__name__.replace("_", "-") for i in mod.app.registered_commands]
        names += [g.name for g in mod.app.registered_groups]  # commands with subcommands (sql)
        assert name in names


def test_root_help_lists_every_command(run):
    r = run("--help")
    assert r.exit_code == 0
    for name in COMMANDS:
        assert name in r.stdout


def test_no_arguments_shows_help_and_exits_2(run):
    r = run()
    assert r.exit_code == 2 and "Usage" in r.stdout + r.stderr
    assert "cxterms: \n" not in r.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["defne", "x"], "cxterms: No such command 'defne'."),
        (["define"], "cxterms: Missing argument 'TERM'."),
        (["list", "--format", "xml"], "cxterms: Invalid value for '--format' / '-f': 'xml' is not one of"),
        (["search", "x", "--limit", "0"], "cxterms: Invalid value for '--limit' / '-n'"),
        (["list", "--bogus"], "cxterms: No such option: --bogus"),
    ],
)
def test_usage_errors_are_one_line_plus_hint_exit_2(run, args, message):
    r = run(*args)
    assert r.exit_code == 2 and r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 2, r.stderr
    assert lines[0].startswith(message)
    assert lines[1].startswith("hint: see 'cxterms")


def big_glossary(path, n=6000):
    with open(path, "w") as fh:
        for i in range(n):
            fh.write(f"- id: term-{i}\n  term: Term number {i}\n  category: Bulk\n  summary: Entry {i}.\n  definition: Filler text. More.\n")
    return path


def test_closed_pipe_ends_quietly(tmp_path):
    big = big_glossary(tmp_path / "big.yaml")
    proc = subprocess.Popen(
        [sys.executable, "-m", "cxterms", "--no-builtin", "-g", str(big), "list"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=subprocess_env(XDG_CACHE_HOME=str(tmp_path / "c")),
    )
    first = proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert first.startswith(b"Term number")
    assert err == b""
    assert proc.returncode == 0


def test_debug_shows_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: a\n  id: b\n")
    cmd = [sys.executable, "-m", "cxterms", "define", "x", "-g", str(bad)]
    plain = subprocess.run(cmd, capture_output=True, text=True, env=subprocess_env())
    assert plain.returncode == 1 and "Traceback" not in plain.stderr
    debug = subprocess.run(cmd[:3] + ["--debug"] + cmd[3:], capture_output=True, text=True, env=subprocess_env())
    assert "Traceback" in debug.stderr and "TermNotFound" in debug.stderr  # the broken entry is only skipped
    env_debug = subprocess.run(cmd, capture_output=True, text=True, env=subprocess_env(CXTERMS_DEBUG="1"))
    assert "Traceback" in env_debug.stderr


def test_internal_error_is_one_line_without_debug(run, monkeypatch):
    import cxterms.glossary.store as store

    def broken(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(store, "open_glossary", broken)
    r = run("define", "nps")
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        "cxterms: internal error: RuntimeError: boom",
        "hint: run again with --debug for a traceback and please report it",
    ]


def test_keyboard_interrupt_exits_130(run, monkeypatch):
    import cxterms.glossary.store as store

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "open_glossary", interrupted)
    assert run("define", "nps").exit_code == 130


def test_lookup_does_not_import_heavy_modules(tmp_path):
    code = (
        "import sys\n"
        "from cxterms.cli.app import main\n"
        "sys.argv = ['cxterms', 'define', 'nps', '--no-builtin', '-g', sys.argv[1]]\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('rapidfuzz', 'rich', 'yaml', 'csv', 'numpy', 'json') or m.startswith(('cxterms.metrics', 'cxterms.models')))\n"
        "sys.stderr.write(repr(heavy))\n"
    )
    env = subprocess_env(XDG_CACHE_HOME=str(tmp_path / "c"))
    first = subprocess.run([sys.executable, "-c", code, str(DATA / "mini")], capture_output=True, text=True, env=env)
    assert first.returncode == 0, first.stderr
    warm = subprocess.run([sys.executable, "-c", code, str(DATA / "mini")], capture_output=True, text=True, env=env)
    assert warm.returncode == 0, warm.stderr
    assert warm.stderr.endswith("[]"), warm.stderr  # the compiled index spares even the YAML parser


def test_readme_documents_every_command():
    readme = (REPO / "README.md").read_text()
    for name in COMMANDS:
        assert f"cxterms {name}" in readme, f"README has no example of cxterms {name}"


def test_readme_opens_with_the_two_commands():
    import re

    block = re.search(r"```[a-z]*\n(.*?)```", (REPO / "README.md").read_text(), re.S).group(1).strip().splitlines()
    assert len(block) == 2
    assert block[0].startswith("pip install . && cxterms ")
    assert "pytest" in block[1] and "[test" in block[1]
