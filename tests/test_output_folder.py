"""A read-only output folder fails up front, naming the folder, before any notebook runs or any
chart is rendered (analysis.output.export.check_output_folder, used by export and report)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pandas as pd
import pytest

from analysis.cli import main
from analysis.output import export, report


@pytest.fixture
def read_only(tmp_path):
    """A folder nobody may write to. Root ignores permission bits, so as root the folder is
    also made immutable (``chattr +i``); the test skips when neither makes it read-only."""
    folder = tmp_path / "read-only-out"
    folder.mkdir()
    (folder / "old.txt").write_text("kept", encoding="utf-8")
    folder.chmod(0o555)
    immutable = False
    if os.geteuid() == 0 and shutil.which("chattr"):
        immutable = subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0
    try:
        try:
            (folder / "probe").write_text("x", encoding="utf-8")
        except OSError:
            pass
        else:
            pytest.skip("cannot make a read-only folder here (root without chattr)")
        yield folder
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)


def test_check_output_folder_names_the_folder(read_only):
    with pytest.raises(export.OutputFolderError) as caught:
        export.check_output_folder(read_only)
    assert str(read_only) in str(caught.value) and "--out" in str(caught.value)
    assert isinstance(caught.value, PermissionError)


def test_report_fails_before_any_notebook_runs(read_only, monkeypatch):
    import nbclient

    monkeypatch.setattr(nbclient, "NotebookClient", lambda *a, **k: pytest.fail("a notebook ran"))
    with pytest.raises(export.OutputFolderError) as caught:
        report.run_notebooks(out=read_only, progress=False)
    assert str(read_only) in str(caught.value)


def test_cli_report_exits_2_naming_the_folder_without_running_notebooks(read_only, monkeypatch, capsys):
    import nbclient

    monkeypatch.setattr(nbclient, "NotebookClient", lambda *a, **k: pytest.fail("a notebook ran"))
    status = main(["report", "--out", str(read_only)])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert str(read_only) in err and "Open the notebook" not in err


def test_export_to_a_read_only_figures_folder_fails_before_rendering(read_only, monkeypatch):
    from analysis.plots import charts

    monkeypatch.setenv("ANALYSIS_FIGURES_DIR", str(read_only))
    monkeypatch.setattr(export, "start_export_server", lambda: pytest.fail("rendering started"))
    data = pd.DataFrame({"term": ["人才"], "count": [3]})
    fig = charts.bar_chart(data, x="count", y="term", title="词")
    with pytest.raises(export.OutputFolderError) as caught:
        export.export_figure(fig, "terms", notebook="03_terms", data=data)
    assert str(read_only) in str(caught.value)
    assert sorted(p.name for p in read_only.iterdir()) == ["old.txt"]
