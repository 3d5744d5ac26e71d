"""Writing a network for Gephi and R: GraphML, GEXF and node and edge CSV, recorded in the manifest.

:func:`network_files` renders the files in memory (nothing written; the ``network`` kind
of :data:`analysis.output.figures.KINDS`); :func:`export_network` writes them through
:func:`analysis.output.export.export_figure` into the figures folder as ``<stem>.graphml``,
``<stem>.gexf``, ``<stem>.csv`` (the edges: the data) and ``<stem>.nodes.csv``, and records
one manifest row (kind ``network``). Labels are the terms themselves, in UTF-8, so Gephi
shows the Chinese words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd

from analysis.output import export
from analysis.output.figures import network_files

__all__ = ["network_files", "export_network", "NETWORK_FORMATS"]

#: What :func:`export_network` writes, besides the edge CSV.
NETWORK_FORMATS = ("graphml", "gexf", "nodes.csv")


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
    return export.export_figure(graph, name, notebook=notebook, data=edges, tables={"nodes": nodes}, title=title,
                                caption=caption, documents=documents, settings=settings, directory=directory)
