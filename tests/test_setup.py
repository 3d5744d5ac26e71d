"""Setup as a researcher meets it: .ci/system-packages.sh and the Makefile.

The script is run with fake ``fc-list`` and ``apt-get`` put first on PATH, so the tests
see what it would install without installing anything.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import paths

SCRIPT = paths.project_root() / ".ci" / "system-packages.sh"
MATCH = "Noto Sans CJK SC"


def _exe(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


@pytest.fixture
def fake_bin(tmp_path):
    """A folder of fake commands: fc-list printing the CJK font first and then 200,000 more
    lines (far more than a pipe holds, so a reader that stops early kills it with SIGPIPE),
    an apt-get that only logs its arguments, and chromium."""
    folder = tmp_path / "bin"
    folder.mkdir()
    log = tmp_path / "apt.log"
    _exe(folder / "fc-list", f'#!/bin/sh\necho "{MATCH},Noto Sans CJK"\nseq 1 200000\n')
    _exe(folder / "apt-get", f'#!/bin/sh\necho "$@" >> "{log}"\n')
    _exe(folder / "chromium", "#!/bin/sh\nexit 0\n")
    _exe(folder / "pdftoppm", "#!/bin/sh\nexit 0\n")
    return folder, log


def _run(folder: Path, *, path: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "BROWSER_PATH"}
    env["PATH"] = path if path is not None else f"{folder}:{os.environ['PATH']}"
    return subprocess.run([shutil.which("bash") or "/bin/bash", str(SCRIPT)], capture_output=True, text=True, env=env, timeout=60, check=False)


def test_the_old_check_misreads_a_present_font_under_pipefail(fake_bin):
    """The bug the script had: `fc-list | grep -q` under pipefail fails although the font is there."""
    folder, _ = fake_bin
    env = {**os.environ, "PATH": f"{folder}:{os.environ['PATH']}"}
    results = [
        subprocess.run(["bash", "-c", f'set -o pipefail; fc-list | grep -q "{MATCH}"'], env=env, check=False).returncode
        for _ in range(5)
    ]
    assert any(code != 0 for code in results), results  # SIGPIPE (141) reported as "not found"


def test_present_font_and_browser_run_no_apt_get_however_often(fake_bin):
    folder, log = fake_bin
    for _ in range(10):
        result = _run(folder)
        assert result.returncode == 0, result.stderr
        assert "present" in result.stdout
    assert not log.exists(), log.read_text()


def test_missing_font_installs_the_debian_package(fake_bin):
    folder, log = fake_bin
    _exe(folder / "fc-list", '#!/bin/sh\necho "DejaVu Sans"\nseq 1 200000\n')
    result = _run(folder)
    assert result.returncode == 0, result.stderr
    calls = log.read_text().splitlines()
    assert calls[0].startswith("update")
    assert "fonts-noto-cjk" in calls[1] and "chromium" not in calls[1]


def test_without_apt_get_it_says_every_way_to_get_a_browser_and_a_font(fake_bin, tmp_path):
    folder, log = fake_bin
    (folder / "apt-get").unlink()
    (folder / "chromium").unlink()
    (folder / "pdftoppm").unlink()
    _exe(folder / "fc-list", "#!/bin/sh\nexit 0\n")
    # a PATH with only the commands the script needs (no apt-get, no chromium)
    (folder / "python3").symlink_to(os.path.realpath(sys.executable))
    (folder / "id").symlink_to(shutil.which("id"))
    result = _run(folder, path=str(folder))
    assert result.returncode == 0
    assert "no apt-get" in result.stderr
    for way in ("Chrome", "Edge", "Chromium", "BROWSER_PATH", "kaleido", "PingFang SC", "Microsoft YaHei",
                "ANALYSIS_CJK_FONT"):
        assert way in result.stderr, way


def test_make_lab_runs_as_root_and_conda_users_can_point_make_at_their_environment():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    root = paths.project_root()
    dry = subprocess.run(["make", "-n", "lab"], cwd=root, capture_output=True, text=True, check=True).stdout
    lab = [line for line in dry.splitlines() if "jupyter lab" in line]
    assert lab, dry
    assert ("--allow-root" in lab[-1]) == (os.geteuid() == 0)
    conda = subprocess.run(["make", "-n", "report", "BIN=/opt/env/bin"], cwd=root, capture_output=True, text=True,
                           check=True).stdout
    assert "/opt/env/bin/python -m analysis report" in conda
    assert "pip install" not in conda and "-m venv" not in conda
