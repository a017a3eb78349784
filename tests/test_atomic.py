"""Every file cxterms writes is written atomically (issue 9, item 13).

A failed write is provoked for real: a child process with a small
RLIMIT_FSIZE (the kernel refuses writes past it with EFBIG, exactly like a
full disk refuses them with ENOSPC), and /dev/full.
"""

from __future__ import annotations

import os
import resource
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cxterms.atomic import write_atomic

REPO = Path(__file__).parent.parent


def test_replaces_and_leaves_no_temp(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    os.chmod(target, 0o640)
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # permissions kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_follows_a_symlink(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_a_device_is_written_not_replaced():
    before = os.stat("/dev/null")
    write_atomic("/dev/null", "x")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev


def test_folder_is_refused(tmp_path):
    with pytest.raises(IsADirectoryError):
        write_atomic(tmp_path, "x")


def _limited(limit: int):
    def setup():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a signal
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return setup


def _cxterms(args, tmp_path, **kw):
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "cxterms", *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=60, **kw)


def test_export_failure_keeps_the_old_file(tmp_path):
    target = tmp_path / "glossary.md"
    old = "precious old export\n" * 5000  # 100 KB, larger than the limit
    target.write_text(old)
    # warm the index first, so only the export itself meets the limit
    assert _cxterms(["define", "nps"], tmp_path).returncode == 0
    r = _cxterms(["export", "-o", str(target)], tmp_path, preexec_fn=_limited(16 << 10))
    assert r.returncode == 1, r.stderr
    assert r.stderr.startswith("cxterms: cannot write") and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert target.read_text() == old
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["glossary.md"]
    ok = _cxterms(["export", "-o", str(target)], tmp_path)
    assert ok.returncode == 0 and target.read_text().startswith("# CX glossary")


def test_export_to_dev_full(tmp_path):
    r = _cxterms(["export", "-o", "/dev/full"], tmp_path)
    assert r.returncode == 1 and r.stderr.startswith("cxterms: cannot write /dev/full")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_index_write_failure_is_harmless(tmp_path):
    """The compiled index cannot be written (size limit): the lookup still
    works and no temporary file is left in the cache."""
    r = _cxterms(["define", "nps", "-f", "plain"], tmp_path, preexec_fn=_limited(4 << 10))
    assert r.returncode == 0 and r.stdout.startswith("Net Promoter Score")
    cache = tmp_path / "cache" / "cxterms"
    assert not cache.exists() or not [p for p in cache.iterdir() if p.name.endswith(".tmp")]
