"""An installed copy (wheel, not editable), run from another folder, finds its glossary."""

import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from .conftest import REPO


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    pytest.importorskip("hatchling")
    tmp = tmp_path_factory.mktemp("install")
    src = tmp / "src"
    # build from a copy so the test never writes into the checkout
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(".git", ".venv", "build", "dist", "__pycache__", "*.egg-info", ".pytest_cache", ".hypothesis", "_data"))
    wheels = tmp / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(src)],
        check=True, capture_output=True,
    )
    (wheel,) = wheels.glob("cxterms-*.whl")
    site = tmp / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-compile", "-q", "--target", str(site), str(wheel)],
        check=True, capture_output=True,
    )
    return wheel, site, tmp


def run_installed(site, tmp, *args):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CXTERMS_GLOSSARY_PATH")}
    env.update(PYTHONPATH=str(site), XDG_CACHE_HOME=str(tmp / "cache"), XDG_CONFIG_HOME=str(tmp / "config"))
    workdir = tmp / "elsewhere"
    workdir.mkdir(exist_ok=True)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=workdir)


def test_wheel_contains_the_glossary(installed):
    wheel, _, _ = installed
    names = zipfile.ZipFile(wheel).namelist()
    yamls = [n for n in names if n.startswith("cxterms/data/glossary/") and n.endswith(".yaml")]
    sources = sorted(p.name for p in (REPO / "glossary").glob("*.yaml"))
    assert sorted(n.rsplit("/", 1)[1] for n in yamls) == sources


def test_installed_copy_finds_its_glossary(installed):
    _, site, tmp = installed
    r = run_installed(site, tmp, "-c", "import cxterms, cxterms.glossary.store as s; print(cxterms.__file__); print(s.builtin_dir())")
    assert r.returncode == 0, r.stderr
    module_file, glossary_dir = r.stdout.splitlines()
    assert module_file.startswith(str(site)) and glossary_dir.startswith(str(site))
    assert not glossary_dir.startswith(str(REPO))


def test_installed_copy_runs_commands(installed):
    _, site, tmp = installed
    count = len(run_installed(site, tmp, "-m", "cxterms", "list").stdout.splitlines())
    assert count == sum(len([ln for ln in p.read_text().splitlines() if ln.startswith("- id:")]) for p in (REPO / "glossary").glob("*.yaml"))
    r = run_installed(site, tmp, "-m", "cxterms", "define", "nps", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert '"id": "net-promoter-score"' in r.stdout
    r = run_installed(site, tmp, "-m", "cxterms", "lint")
    assert r.returncode == 0, r.stdout + r.stderr
