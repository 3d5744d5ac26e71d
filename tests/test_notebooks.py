"""The notebooks follow the house rules: paired with their py:percent text, thin, parameters
first, outputs committed and free of machine-specific details. (nbval checks the numbers.)"""

import ast
import re

import jupytext
import nbformat
import pytest

from analysis.paths import notebooks_dir

NOTEBOOKS = sorted(notebooks_dir().glob("[0-9][0-9]_*.ipynb"))


def test_there_are_notebooks():
    assert [p.stem[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06", "07", "08"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_paired_text_form_has_the_same_cells(path):
    text = path.with_suffix(".py")
    assert text.exists(), f"{text.name} missing: run jupytext --sync {path.name}"
    paired = jupytext.read(text)
    notebook = nbformat.read(path, as_version=4)
    strip = lambda cells: [(c.cell_type, c.source.strip()) for c in cells]  # noqa: E731
    assert strip(paired.cells) == strip(notebook.cells), "out of sync: run make notebooks-sync"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_cells_call_the_library_and_define_nothing(path):
    notebook = nbformat.read(path, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", []), "the first code cell is the parameters cell"
    for cell in code:
        tree = ast.parse(cell.source)
        defined = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        assert defined == [], f"define functions in analysis/, not in cells: {cell.source[:60]!r}"
    assert any("analysis" in c.source for c in code)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_outputs_are_committed_and_portable(path):
    notebook = nbformat.read(path, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), "commit the notebook executed"
    assert sum(len(c.outputs) for c in code) >= len(code) // 2
    blob = nbformat.writes(notebook)
    for pattern in [r"/work/", r"/root/", r"/home/\w+", r"/tmp/", r"Loading model cost", r"0x[0-9a-f]{8,}"]:
        assert not re.search(pattern, blob), f"{path.name} output contains {pattern}"
    for cell in code:
        assert "execution" not in cell.metadata, "timing metadata: execute with record_timing=False"
        for output in cell.outputs:
            assert output.get("name") != "stderr", f"stderr in {path.name}: {output.get('text', '')[:80]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_interactive_chart_has_a_static_image_beside_it(path):
    """GitHub and `nbconvert --to html` cannot draw plotly's JSON: a PNG in the same output shows the chart."""
    notebook = nbformat.read(path, as_version=4)
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    charts = [o for o in outputs if "application/vnd.plotly.v1+json" in o.get("data", {})]
    for output in charts:
        assert "image/png" in output["data"], f"{path.name}: a chart without its static image"
        assert output.get("metadata", {}).get("analysis", {}).get("stem", "").startswith(path.stem + "_")
    if path.stem != "01_corpus_overview":
        assert charts or any("image/png" in o.get("data", {}) for o in outputs)
