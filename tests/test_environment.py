"""pyproject.toml (pip) and environment.yml (conda) must name the same packages and pins."""

import re
import tomllib

import yaml

from analysis import paths

#: conda-forge names that differ from the PyPI name.
CONDA_TO_PYPI = {"python-kaleido": "kaleido"}


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


def test_same_packages_in_pyproject_and_environment():
    pip, conda = pyproject_pins(), environment_pins()
    assert sorted(set(pip) - set(conda)) == [], "in pyproject.toml but not in environment.yml"
    assert sorted(set(conda) - set(pip)) == [], "in environment.yml but not in pyproject.toml"


def test_same_pins_in_pyproject_and_environment():
    pip, conda = pyproject_pins(), environment_pins()
    differ = {name: (pip[name], conda[name]) for name in pip if name in conda and pip[name] != conda[name]}
    assert differ == {}


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
