"""Reader measurements, run on demand (never in CI): ``.venv/bin/python tests/benchmarks/measure_readers.py``.

Needs ../shared/corpora. Three measurements, each against hand extractions or manifests:

1. **Saved pages** (``../shared/corpora/pages``, 22 pages of one site; the hand extraction is the
   ``text`` of the same id in ``speeches.jsonl``): Han-character recall and precision (multiset
   overlap of Han characters) of the project's page reader, and of readability-lxml and
   trafilatura used bare (trafilatura only when installed: ``pip install trafilatura``).
   Precision is reported over the 18 pages that hold one speech (four hold a compilation).
2. **PDFs**: five speeches of ``speeches.jsonl`` printed to PDF by headless Chromium (title
   and paragraphs; Chromium's header and footer on every page), read back by pypdfium2 (the
   project's reader, and bare), pdfplumber and pdfminer.six (when installed): CPU seconds,
   Han recall/precision, the share of 8-character runs of the original found in order, and
   the share of the original's paragraphs returned exactly (project reader).
3. **Metadata** read from the title line and first lines (:mod:`analysis.io.infer`) against the
   manifest of the 80 speeches: date (with a date line under the title, as published speeches
   carry one), level, occasion, kind.

Measured on 2026-12-06 (2 cores, shared):

- pages, 18 single-speech pages: project reader recall 1.000 (min 1.000), precision 1.000 (min
  1.000); readability-lxml bare: recall 1.000, precision mean 0.988 (min 0.964); trafilatura 2.3.1
  bare: recall 1.000, precision mean 0.980 (min 0.906: it keeps "推荐阅读" link lists and
  previous/next links). All 22 pages: recall min 0.9997. Read through the loader, right on the
  22 pages: date 15 (the others print only a publication date, or the manifest has a month),
  occasion 18 (18 read), level 14 (15 read), kind 15 (18 read).
- PDFs (5 speeches, 49 pages): pypdfium2 0.39 CPU-s, recall 1.000, in-order 0.991–0.994;
  pdfplumber 0.11 4.97 CPU-s and pdfminer.six 4.64 CPU-s, recall 0.862–0.899, in-order 0.28–0.44
  ("Could not get FontBBox" on Chromium's CID fonts). Project reader: recall and precision 1.000
  on all five (running heads and page numbers gone); paragraphs returned exactly: 43/44, 19/19,
  43/44, 96/97, 11/11 (212 of 215).
- metadata, 80 speeches: date 80/80 with a date line (0/80 without: their titles carry no date);
  level 21/80 right (22 read: most national titles name no place); occasion 41/80 right (45 read);
  kind 51/80 right (55 read).
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from analysis.paths import shared_dir  # noqa: E402

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
COMPILATIONS = {"sx-mawg-2018-fzdh", "sx-xi-2020-kmyc", "sx-xi-2023-ztjy", "sx-xi-2021-hongse"}
PDF_SPEECHES = ("m-xi-2020-ztjy-sum", "sx-chengy-2009-jdh", "sx-xi-2021-dsxx", "sx-xi-2022-20th", "sx-xi-2023-jtxx4")


def overlap(got: str, want: str) -> tuple[float, float]:
    a, b = Counter(HAN.findall(got)), Counter(HAN.findall(want))
    common = sum((a & b).values())
    return common / max(sum(b.values()), 1), common / max(sum(a.values()), 1)


def same(a: str, b: str) -> bool:
    """Occasions agree: equal, or one holds the other (quotes, brackets and spaces ignored)."""
    a, b = (re.sub(r"[\s“”\"（）()《》]", "", str(x or "")) for x in (a, b))
    return bool(a) and (a == b or a in b or b in a)


def in_order(got: str, want: str) -> float:
    g, w = "".join(HAN.findall(got)), "".join(HAN.findall(want))
    runs = [w[i:i + 8] for i in range(0, len(w) - 8, 8)]
    return sum(r in g for r in runs) / max(len(runs), 1)


def page_readers():
    import lxml.html
    from readability import Document

    from analysis.io.pages import _block_text, read_page

    readers = {"project": lambda data: read_page(data, settings=None).raw,
               "readability-lxml (bare)": lambda data: _block_text(lxml.html.fromstring(
                   Document(data.decode("utf-8")).summary(html_partial=True)))}
    try:
        import trafilatura

        readers["trafilatura (bare)"] = lambda data: trafilatura.extract(data.decode("utf-8"), include_tables=True) or ""
    except ImportError:
        print("(trafilatura not installed: pip install trafilatura to compare it)")
    return readers


def measure_pages(speeches: dict) -> None:
    from analysis.io.pages import read_page

    pages = shared_dir() / "corpora" / "pages"
    rows = [line.split("\t") for line in (pages / "index.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    print(f"== saved pages: {len(rows)}")
    for name, read in page_readers().items():
        start = time.process_time()
        results = [(sid, *overlap(read((pages / file).read_bytes()), speeches[sid]["text"])) for file, sid, _ in rows]
        cpu = time.process_time() - start
        single = [r for r in results if r[0] not in COMPILATIONS]
        if name == "project":
            from analysis.io.corpus import load_corpus

            loaded = load_corpus([pages / file for file, _, _ in rows], manifest=False).set_index("id")
            right = Counter()
            for file, sid, _ in rows:
                row, want = loaded.loc[Path(file).stem], speeches[sid]
                for key in ("date", "level", "kind"):
                    right[key] += row[key] == want[key]
                right["occasion"] += same(row["occasion"], want["occasion"])
            print(f"project, metadata right on the {len(rows)} pages: " + ", ".join(f"{k} {v}" for k, v in right.items()))
        print(f"{name}: {cpu:.2f} CPU-s; recall min {min(r[1] for r in results):.4f}; "
              f"{len(single)} single-speech pages: recall mean {statistics.mean(r[1] for r in single):.4f}, "
              f"precision mean {statistics.mean(r[2] for r in single):.4f} min {min(r[2] for r in single):.4f}")


def measure_pdfs(speeches: dict) -> None:
    from speech_pages import CHROMIUM, print_page, print_pdf

    if not Path(CHROMIUM).exists():
        print("(no chromium: PDFs not measured)")
        return
    from analysis.io.pdf import pdf_text

    readers = {"project (pypdfium2)": lambda p: pdf_text(p.read_bytes())[0]}
    import pypdfium2 as pdfium

    def bare_pdfium(p):
        document = pdfium.PdfDocument(str(p))
        return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))

    readers["pypdfium2 (bare)"] = bare_pdfium
    try:
        import pdfplumber

        def plumber(p):
            with pdfplumber.open(p) as pdf:
                return "\n".join(page.extract_text() or "" for page in pdf.pages)

        readers["pdfplumber"] = plumber
    except ImportError:
        print("(pdfplumber not installed)")
    try:
        from pdfminer.high_level import extract_text

        readers["pdfminer.six"] = lambda p: extract_text(str(p))
    except ImportError:
        print("(pdfminer.six not installed)")
    import logging

    logging.disable(logging.WARNING)  # pdfminer's FontBBox warnings
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for sid in PDF_SPEECHES:
            row = speeches[sid]
            html = Path(tmp) / f"{sid}.html"
            html.write_text(print_page(row["title"], row["text"]), encoding="utf-8")
            files.append((sid, print_pdf(html, Path(tmp) / f"{sid}.pdf")))
        print(f"== PDFs printed by Chromium: {len(files)}")
        for name, read in readers.items():
            start = time.process_time()
            texts = {sid: read(path) for sid, path in files}
            cpu = time.process_time() - start
            parts = []
            for sid, _ in files:
                original = speeches[sid]["title"] + "\n" + speeches[sid]["text"]
                recall, precision = overlap(texts[sid], original)
                paragraphs = [p.strip() for p in original.split("\n") if p.strip()]
                exact = len(set(paragraphs) & set(texts[sid].split("\n")))
                parts.append(f"{sid[:16]} R{recall:.3f} P{precision:.3f} order {in_order(texts[sid], original):.3f} "
                             f"paragraphs {exact}/{len(paragraphs)}")
            print(f"{name}: {cpu:.2f} CPU-s\n  " + "\n  ".join(parts))


def measure_metadata(speeches: dict) -> None:
    from analysis.io.infer import infer_metadata

    def cn(iso, precision):
        y, m, *d = iso.split("-")
        return f"{int(y)}年{int(m)}月" + (f"{int(d[0])}日" if precision == "day" else "")

    counts = Counter()
    for row in speeches.values():
        plain = infer_metadata(row["title"] + "\n" + row["text"])
        dated = infer_metadata(row["title"] + f"\n（{cn(row['date'], row['date_precision'])}）\n" + row["text"])
        counts["date (date line)"] += dated.get("date") == row["date"]
        counts["date (title and body only)"] += plain.get("date") == row["date"]
        for key in ("level", "kind"):
            counts[f"{key} right"] += plain.get(key) == row[key]
            counts[f"{key} read"] += bool(plain.get(key))
        counts["occasion right"] += same(plain.get("occasion", ""), row["occasion"])
        counts["occasion read"] += bool(plain.get("occasion"))
    print(f"== metadata of {len(speeches)} speeches: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


def main() -> int:
    path = shared_dir() / "corpora" / "speeches.jsonl"
    if not path.exists():
        print(f"../shared/corpora not found: {path}")
        return 0
    speeches = {r["id"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}
    measure_pages(speeches)
    measure_pdfs(speeches)
    measure_metadata(speeches)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
