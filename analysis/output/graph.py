"""Writing a network for Gephi and R: GraphML, GEXF and node and edge CSV, recorded in the manifest.

:func:`network_files` renders the files in memory (nothing written);
:func:`export_network` writes them into the figures folder as ``<stem>.graphml``,
``<stem>.gexf``, ``<stem>.csv`` (the edges: the data) and ``<stem>.nodes.csv``, and records
one manifest row (kind ``network``). Labels are the terms themselves, in UTF-8, so Gephi
shows the Chinese words.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Iterable

import pandas as pd

from analysis import paths
from analysis.output import export

__all__ = ["network_files", "export_network", "NETWORK_FORMATS"]

#: What :func:`export_network` writes, besides the edge CSV.
NETWORK_FORMATS = ("graphml", "gexf", "nodes.csv")


def network_files(graph) -> dict[str, bytes]:
    """A networkx graph as GraphML and GEXF bytes (UTF-8).

    >>> import networkx as nx
    >>> g = nx.Graph(); g.add_node("人才", label="人才"); g.add_edge("人才", "基层", weight=0.5)
    >>> files = network_files(g)
    >>> nx.read_graphml(io.BytesIO(files["graphml"])).edges["人才", "基层"]["weight"]
    0.5
    """
    import networkx as nx

    out = {}
    for fmt, write in (("graphml", nx.write_graphml), ("gexf", nx.write_gexf)):
        buffer = io.BytesIO()
        write(graph, buffer)
        out[fmt] = buffer.getvalue()
    return out


def export_network(graph, name: str, *, notebook: str, nodes: pd.DataFrame, edges: pd.DataFrame, title: str = "",
                   caption: str = "", documents: Iterable[str] = (), settings=None,
                   directory: str | Path | None = None) -> export.Exported:
    """Write a network as GraphML, GEXF, edge CSV and node CSV, and record it in the manifest.

    Args:
        graph: :func:`analysis.stats.network.network_graph` of ``nodes`` and ``edges``.
        name: Name within the notebook (the stem is ``<notebook>_<name>``).
        notebook: The notebook's name.
        nodes: The node table (written as ``<stem>.nodes.csv``).
        edges: The edge table (written as ``<stem>.csv``, the row's data).
        title, caption: For the manifest.
        documents: Ids of the documents the network is made of.
        settings: The settings (their fingerprint is recorded) or a fingerprint.
        directory: The figures folder; default :func:`analysis.paths.figures_dir`.

    Returns:
        :class:`analysis.output.export.Exported`: format → Path, plus ``manifest``.

    Raises:
        OutputFolderError: when the folder cannot be written.
    """
    stem = export.safe_stem(notebook, name)
    folder = export.check_output_folder(Path(directory) if directory is not None else paths.figures_dir())
    payloads = {**network_files(graph), "csv": export._csv_bytes(edges), "nodes.csv": export._csv_bytes(nodes)}
    written = {fmt: export.atomic_write(folder / f"{stem}.{fmt}", data) for fmt, data in payloads.items()}
    row = {"stem": stem, "notebook": export._notebook_name(notebook), "name": name, "title": title,
           "caption": caption, "kind": "network", "data": f"{stem}.csv",
           "files": ";".join(sorted(p.name for p in written.values())), "skipped": "",
           "documents": export._documents(documents), "settings": export._fingerprint(settings)}
    manifest = export._update_manifest(folder, row)
    return export.Exported(stem, {**written, "manifest": manifest}, title=title)
