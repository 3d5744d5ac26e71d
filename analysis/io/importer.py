"""Import a researcher's collection (pages, PDFs, Word and text files) into a clean corpus folder.

``python -m analysis corpus import SRC... --out DIR [--dedupe]`` calls :func:`import_corpus`:
every file the loader reads (:mod:`analysis.io.formats`) becomes one UTF-8 ``.txt`` file
in ``DIR`` holding the text that was read (a page's body, a PDF's paragraphs), and one row
of ``DIR/manifest.csv`` with its metadata (what the source's own manifest says, else what
the page states or the text says, listed in ``inferred``) and where it came from
(``source_file``, ``source_sha256``, ``format``). Copies of one speech
(:func:`analysis.io.reposts.find_reposts`) are marked in ``repost_group``; with
``dedupe=True`` only the kept copy of each group is written. The folder loads as it is
(:func:`analysis.io.corpus.load_corpus`), and a researcher can correct the manifest by hand.

Nothing is written outside ``DIR``; an existing ``manifest.csv`` there is refused unless
``overwrite=True`` (the texts it lists would be replaced).
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.io.corpus import MANIFEST_COLUMNS, CorpusError, plan_files, read_file
from analysis.io.reposts import find_reposts
from analysis.settings import Settings
from analysis.types import PathsArg

__all__ = ["IMPORT_COLUMNS", "SKIPPED_COLUMNS", "ImportResult", "import_corpus"]

#: Columns of the written ``manifest.csv`` (and of :attr:`ImportResult.manifest`).
IMPORT_COLUMNS = (*MANIFEST_COLUMNS, "kind", "speaker", "inferred", "published", "source_url", "source_file",
                  "source_sha256", "format", "repost_group", "copies")
#: Columns of :attr:`ImportResult.skipped`.
SKIPPED_COLUMNS = ("file", "problem", "fix")


@dataclass(frozen=True)
class ImportResult:
    """What :func:`import_corpus` did.

    Attributes:
        manifest: The rows written to ``manifest.csv`` (:data:`IMPORT_COLUMNS`).
        skipped: Files not imported and why (:data:`SKIPPED_COLUMNS`).
        reposts: Every document read with its group (:func:`analysis.io.reposts.find_reposts`)
            and ``written`` (False for a copy left out by ``dedupe``).
    """

    manifest: pd.DataFrame
    skipped: pd.DataFrame
    reposts: pd.DataFrame

    def summary(self) -> str:
        """A few lines for a researcher: imported, skipped (and why), copies found."""
        lines = [f"imported {len(self.manifest)} document(s)"]
        if len(self.skipped):
            lines.append(f"skipped {len(self.skipped)} file(s):")
            lines += [f"  {r.file}: {r.problem} ({r.fix})" for r in self.skipped.itertuples(index=False)]
        groups = self.reposts[self.reposts["copies"] > 1]
        if len(groups):
            lines.append(f"{groups['group'].nunique()} speech(es) found more than once "
                         f"({len(groups)} documents):")
            for group, rows in groups.groupby("group", sort=False):
                left = [i for i, w in zip(rows["id"], rows["written"]) if not w]
                said = f"; left out: {', '.join(left)}" if left else ""
                lines.append(f"  {group} kept; copies: {', '.join(i for i in rows['id'] if i != group)}{said}")
        return "\n".join(lines)


def _file_name(doc_id: str, used: set[str]) -> str:
    stem = re.sub(r"[^\w\u4e00-\u9fff.-]+", "_", doc_id).strip("._") or "document"
    stem = stem[:100]
    name, k = f"{stem}.txt", 1
    while name.lower() in used or name.lower() == "manifest.csv":
        k += 1
        name = f"{stem}-{k}.txt"
    used.add(name.lower())
    return name


def import_corpus(sources: PathsArg, *, out: str | Path, dedupe: bool = False, settings: Settings | None = None,
                  progress: bool = False, overwrite: bool = False) -> ImportResult:
    """Read ``sources`` and write one ``.txt`` per speech and a ``manifest.csv`` into ``out``.

    Args:
        sources: Files or folders (pages, PDFs, Word, text, JSONL/CSV corpora).
        out: The folder to write (created when missing).
        dedupe: Write only one copy of each speech found more than once.
        settings: Loader settings (size limit, traditional-character conversion).
        progress: Show a progress bar over the files on standard error.
        overwrite: Replace an existing ``manifest.csv`` in ``out``.

    Returns:
        An :class:`ImportResult`.

    Raises:
        CorpusError: When ``out`` already holds a manifest and ``overwrite`` is False, or
            lies inside a source folder (it would be read next time).

    Example:
        >>> import tempfile
        >>> src, dst = Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp()) / "clean"
        >>> _ = (src / "a.txt").write_text("在全县组织工作会议上的讲话\\n（2024年3月15日）\\n同志们：\\n今天开会。", encoding="utf-8")
        >>> result = import_corpus([src], out=dst)
        >>> result.manifest[["id", "file", "date", "level", "kind"]].values.tolist()
        [['a', 'a.txt', '2024-03-15', 'county', 'organization_work']]
    """
    settings = settings or Settings()
    out = Path(out)
    for source in ([sources] if isinstance(sources, (str, Path)) else list(sources)):
        if Path(source).is_dir() and out.resolve().is_relative_to(Path(source).resolve()):
            raise CorpusError("the output folder lies inside a source folder, so its files would be read as "
                              "sources next time", file=str(out), fix="write the clean corpus to another folder")
    if (out / "manifest.csv").exists() and not overwrite:
        raise CorpusError("the folder already holds a manifest.csv", file=str(out / "manifest.csv"),
                          fix="choose a new folder, or delete the old one first")
    problems: list[CorpusError] = []
    items = list(plan_files(sources, report=problems.append))
    if progress:
        from tqdm import tqdm

        items = tqdm(items, desc="importing", unit="file", file=sys.stderr, dynamic_ncols=True)
    docs = []
    ids: set[str] = set()
    for item in items:
        for doc in read_file(item, settings=settings, report=problems.append):
            if doc.id in ids:
                problems.append(CorpusError(f"a second document has the id {doc.id!r}", file=doc.source_path,
                                            fix="rename one of the files"))
                continue
            ids.add(doc.id)
            docs.append(doc)
    frame = pd.DataFrame({"id": [d.id for d in docs], "text": [d.text for d in docs],
                          "date": [str(d.meta.get("date") or "") for d in docs]})
    reposts = find_reposts(frame) if docs else pd.DataFrame(columns=["id", "group", "copies", "keep", "containment"])
    reposts["written"] = reposts["keep"] | (not dedupe)
    out.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    rows = []
    groups = dict(zip(reposts["id"], zip(reposts["group"], reposts["copies"], reposts["written"])))
    for doc in docs:
        group, copies, written = groups[doc.id]
        if not written:
            continue
        name = _file_name(doc.id, used)
        data = doc.raw.replace("\r\n", "\n").rstrip("\n").encode("utf-8") + b"\n"
        (out / name).write_bytes(data)
        meta = doc.meta
        row = {column: str(meta.get(column) or "") for column in IMPORT_COLUMNS}
        row.update(id=doc.id, file=name, sha256=hashlib.sha256(data).hexdigest(), source_file=doc.source_path,
                   source_sha256=doc.sha256, format=doc.encoding,
                   repost_group=group if copies > 1 else "", copies=int(copies))
        rows.append(row)
    manifest = pd.DataFrame(rows, columns=list(IMPORT_COLUMNS))
    manifest.to_csv(out / "manifest.csv", index=False, encoding="utf-8")
    skipped = pd.DataFrame([{"file": p.file, "problem": p.problem, "fix": p.fix} for p in problems],
                           columns=list(SKIPPED_COLUMNS))
    return ImportResult(manifest, skipped, reposts)
