"""The parallel reader under signals: Ctrl-C, SIGTERM and a killed worker end
with one line (or quietly, for SIGTERM), never a traceback, and no worker
process is left behind. Real processes, real signals."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from .conftest import REPO


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """A file well above the parallel threshold (8 MB)."""
    path = tmp_path_factory.mktemp("big") / "big.csv"
    rng = random.Random(5)
    with open(path, "w") as fh:
        fh.write("id,seg,score,comment\n")
        for start in range(0, 700_000, 50_000):
            fh.write("".join(f'{i},{"ABCDEFG"[i % 7]},{rng.randrange(11)},"fine, ""ok"" {i}"\n' for i in range(start, start + 50_000)))
    return path


def children(pid: int) -> set[int]:
    out = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.add(int(entry))
    return out


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def start(path, *extra):
    env = dict(os.environ, PYTHONPATH=str(REPO), NO_COLOR="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "cxterms", "nps", str(path), "--column", "score", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        kids = children(proc.pid)
        if len(kids) >= 2:
            return proc, kids
        if proc.poll() is not None:
            break
        time.sleep(0.005)
    proc.kill()
    pytest.fail(f"the workers never started: {proc.communicate()}")


def gone(pids: set[int]) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if not any(alive(p) for p in pids):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("extra", [(), ("--by", "seg")])
def test_ctrl_c_stops_workers_with_one_line(big, extra):
    proc, workers = start(big, *extra)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal does: the whole foreground group
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, out, err) == (130, "", "cxterms: interrupted\n")
    assert gone(workers)


def test_sigterm_stops_workers_quietly(big):
    proc, workers = start(big, "--by", "seg")
    proc.send_signal(signal.SIGTERM)  # the parent only: it stops its workers, then ends as SIGTERM ends it
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGTERM and out == "" and err == ""
    assert gone(workers)


def test_sigterm_to_the_group_prints_nothing(big):
    proc, workers = start(big)
    os.killpg(proc.pid, signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGTERM and out == "" and err == ""
    assert gone(workers)


def test_a_killed_worker_is_an_error_not_a_hang(big):
    proc, workers = start(big)
    os.kill(min(workers), signal.SIGKILL)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and out == ""
    assert err.splitlines() == ["cxterms: a process reading part of the file was killed by signal 9"]
    assert gone(workers)
