"""The test run's own rules (tests/conftest.py): the main job runs once, whatever the number of workers."""

from types import SimpleNamespace

import pytest


def _session():
    said = []
    writer = SimpleNamespace(line=lambda text, **_: said.append(text))
    return SimpleNamespace(exitstatus=pytest.ExitCode.OK, config=SimpleNamespace(get_terminal_writer=lambda: writer)), said


def test_a_second_run_of_the_main_job_fails_the_test_run(tmp_path, monkeypatch):
    from conftest import pytest_sessionfinish

    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    runs = tmp_path / "main-job-runs"
    runs.mkdir()
    (runs / "gw0-101").touch()
    once, said = _session()
    pytest_sessionfinish(once, pytest.ExitCode.OK)
    assert once.exitstatus == pytest.ExitCode.OK and said == []
    (runs / "gw1-102").touch()  # the other worker ran it too
    twice, said = _session()
    pytest_sessionfinish(twice, pytest.ExitCode.OK)
    assert twice.exitstatus == pytest.ExitCode.TESTS_FAILED
    assert said == ["error: the main job ran 2 times in this test run (gw0-101, gw1-102); it should run once"]


def test_workers_start_with_the_whole_reports_and_end_with_the_notebooks():
    from pathlib import Path

    from conftest import work_rank

    files = ["notebooks/02_structure.ipynb", "tests/test_cli.py", "tests/test_own_reports.py", "analysis/memo.py",
             "tests/test_main_job.py"]
    ordered = sorted(files, key=lambda f: work_rank(SimpleNamespace(path=Path(f))))
    assert ordered == ["tests/test_main_job.py", "tests/test_own_reports.py", "tests/test_cli.py", "analysis/memo.py",
                       "notebooks/02_structure.ipynb"]


def test_without_the_run_folder_the_check_says_nothing(monkeypatch):
    from conftest import pytest_sessionfinish

    monkeypatch.delenv("ANALYSIS_CACHE_DIR")
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    session, said = _session()
    pytest_sessionfinish(session, pytest.ExitCode.OK)
    assert session.exitstatus == pytest.ExitCode.OK and said == []
