"""Progress bars on the command line: on standard error, only when it is a terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import termios
import subprocess
import sys

import pytest

from analysis.paths import project_root

SPEECHES = {
    "a.txt": "同志们：\n一、重视人才\n要关心优秀年轻干部。\n",
    "b.txt": "一、夯实基层\n抓好基层党建。\n",
    "c.txt": "一、总体要求\n坚持党建引领基层治理。\n",
}


def _run(folder, cache, *, tty: bool) -> tuple[str, str]:
    env = {**os.environ, "ANALYSIS_CACHE_DIR": str(cache), "COLUMNS": "100"}
    argv = [sys.executable, "-m", "analysis", "terms", str(folder), "--top", "3"]
    if not tty:
        done = subprocess.run(argv, capture_output=True, text=True, cwd=project_root(), env=env)
        assert done.returncode == 0, done.stderr
        return done.stdout, done.stderr
    main, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))  # a terminal has a size
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=secondary, cwd=project_root(), env=env)
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(main, 4096)
        except OSError:  # the terminal closed
            break
        if not data:
            break
        chunks.append(data)
    out = proc.stdout.read().decode()
    assert proc.wait() == 0
    os.close(main)
    return out, b"".join(chunks).decode(errors="replace")


@pytest.mark.slow
def test_progress_bars_only_on_a_terminal(tmp_path):
    folder = tmp_path / "speeches"
    folder.mkdir()
    for name, text in SPEECHES.items():
        (folder / name).write_text(text, encoding="utf-8")
    piped_out, piped_err = _run(folder, tmp_path / "c1", tty=False)
    tty_out, tty_err = _run(folder, tmp_path / "c2", tty=True)
    assert piped_err == ""
    # terms streams its files: one bar over the files read and counted
    assert "reading and counting" in tty_err and "3/3" in tty_err and "file" in tty_err
    assert tty_out == piped_out and "人才" in tty_out  # the table itself is the same
