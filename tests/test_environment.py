"""pyproject.toml, constraints.txt (pip) and environment.yml (conda) must name the same packages and pins."""

import importlib.util
import re
import subprocess
import sys
import tomllib

import yaml

from analysis import paths

_spec = importlib.util.spec_from_file_location("write_environment", paths.project_root() / ".ci" / "write-environment.py")
write_environment = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(write_environment)

#: conda-forge names that differ from the PyPI name.
CONDA_TO_PYPI = {conda: pypi for pypi, conda in write_environment.PYPI_TO_CONDA.items()}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _split(spec: str, sep: str) -> tuple[str, str | None]:
    name, _, version = spec.partition(sep)
    return _norm(name.strip()), (version.strip() or None)


def pyproject_pins(text: str | None = None) -> dict[str, str | None]:
    text = text if text is not None else (paths.project_root() / "pyproject.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    project = data["project"]
    specs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        specs.extend(extra)
    return dict(_split(s, "==") for s in specs)


def environment_pins(text: str | None = None) -> dict[str, str | None]:
    text = text if text is not None else (paths.project_root() / "environment.yml").read_text(encoding="utf-8")
    env = yaml.safe_load(text)
    pins: dict[str, str | None] = {}
    for item in env["dependencies"]:
        if isinstance(item, dict):
            for spec in item.get("pip", []):
                if not spec.startswith("-e"):
                    name, version = _split(spec, "==")
                    pins[name] = version
            continue
        name, version = _split(item, "=")
        if name in {"python", "pip"}:
            continue
        pins[_norm(CONDA_TO_PYPI.get(name, name))] = version
    return pins


def constraints_pins() -> dict[str, str]:
    return write_environment.read_constraints((paths.project_root() / "constraints.txt").read_text(encoding="utf-8"))


def test_every_pin_of_constraints_is_in_environment_with_the_same_version():
    """The README's "the same pins" is true: every package pip installs, direct or transitive."""
    pins, conda = constraints_pins(), environment_pins()
    assert len(pins) > 100
    assert sorted(set(pins) - set(conda)) == [], "in constraints.txt but not in environment.yml"
    assert sorted(set(conda) - set(pins)) == [], "in environment.yml but not in constraints.txt"
    assert {n: (pins[n], conda[n]) for n in pins if pins[n] != conda[n]} == {}


def test_direct_dependencies_have_the_pins_of_pyproject():
    pip, conda = pyproject_pins(), environment_pins()
    assert sorted(set(pip) - set(conda)) == [], "in pyproject.toml but not in environment.yml"
    differ = {name: (pip[name], conda[name]) for name in pip if pip[name] and pip[name] != conda[name]}
    assert differ == {}


def test_environment_is_generated_from_constraints():
    result = subprocess.run([sys.executable, str(paths.project_root() / ".ci" / "write-environment.py"), "--check"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    text = (paths.project_root() / "environment.yml").read_text(encoding="utf-8")
    assert "conda activate speech-workbook" in text and "BIN=$CONDA_PREFIX/bin" in text  # the next commands


def test_outputs_that_nbval_checks_are_pinned():
    pip = pyproject_pins()
    for name in ["jieba", "pandas", "numpy", "plotly"]:
        assert pip[name], f"{name} must be pinned exactly (nbval compares the numbers it produces)"


def test_a_disagreement_is_seen():
    pip = pyproject_pins('[project]\ndependencies = ["pandas==3.1.1", "kaleido==1.5.0", "tqdm"]\n')
    conda = environment_pins("dependencies:\n  - python=3.11\n  - pandas=3.0.0\n  - python-kaleido=1.5.0\n")
    assert pip == {"pandas": "3.1.1", "kaleido": "1.5.0", "tqdm": None}
    assert conda == {"pandas": "3.0.0", "kaleido": "1.5.0"}
    assert set(pip) - set(conda) == {"tqdm"}
    assert {n for n in conda if pip[n] != conda[n]} == {"pandas"}
