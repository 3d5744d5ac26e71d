"""Fuzz the readers: arbitrary and mutated bytes in, a Document or a CorpusError naming the file out.

Run by ``tests/test_fuzz_readers.py`` in a child process under resource limits (address
space, CPU seconds), or by hand for a long run::

    python tests/fuzz_readers.py --examples 5000      # per strategy; prints one JSON line of numbers

Strategies (hypothesis): random bytes under every extension the loader reads; real
``.docx`` files (written by python-docx at run time) with bytes flipped, cut or
inserted; the same files with their XML parts mutated and re-zipped; JSON Lines with
deep nesting, huge numbers, odd ids and long strings; CSV and TSV text with random
quoting. For every input the loader must return Documents and CorpusErrors only, each
error naming the file; no reader may fall through to the last guard
(:func:`analysis.io.corpus._guarded`), no text may pass the document cap, and no input
may run out of memory.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import sys
import tempfile
import time
import warnings
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))

from docx_parts import damage_data, docx, numbering_xml, paragraph, real_docx  # noqa: E402

CAP = 2**20  # the document cap the inputs are held to (1 MiB)
EXTENSIONS = [".txt", ".md", ".docx", ".jsonl", ".csv", ".tsv"]
LAST_GUARD = "the file could not be read ("


class Tally:
    """Counts of what the fuzzing saw."""

    def __init__(self) -> None:
        self.inputs = 0
        self.documents = 0
        self.problems = 0
        self.failures: list[str] = []
        self.kinds: dict[str, int] = {}
        self.max_cpu = 0.0

    def fail(self, kind: str, message: str) -> None:
        self.failures.append(message)
        self.kinds[kind] = self.kinds.get(kind, 0) + 1

    def as_dict(self) -> dict:
        return {"inputs": self.inputs, "documents": self.documents, "problems": self.problems,
                "failures": self.failures[:5], "failure_count": len(self.failures), "failure_kinds": self.kinds,
                "max_cpu_seconds_per_input": round(self.max_cpu, 3)}


TALLY = Tally()
FOLDER = Path(tempfile.mkdtemp(prefix="fuzz-readers-"))


def check(data: bytes, suffix: str) -> None:
    """Load ``data`` as a file with ``suffix``; record a failure for anything but Documents and named errors."""
    from analysis.io.corpus import CorpusError, load_corpus
    from analysis.settings import Settings

    TALLY.inputs += 1
    path = FOLDER / f"input{TALLY.inputs % 7}{suffix}"
    path.write_bytes(data)
    start = time.process_time()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            docs, problems = load_corpus(path, on_error="collect", settings=Settings(max_document_bytes=CAP))
    except CorpusError as exc:  # noqa: F841 - collect mode never raises: a failure
        TALLY.fail(f"{suffix} CorpusError raised", f"{suffix}: raised {exc!r}"[:300])
        return
    except BaseException as exc:  # noqa: BLE001 - anything escaping is what the fuzzing looks for
        if isinstance(exc, KeyboardInterrupt):
            raise
        TALLY.fail(f"{suffix} {type(exc).__name__}", f"{suffix}: {type(exc).__name__}: {exc}"[:300]
                   + f" input={data[:200]!r}")
        return
    finally:
        TALLY.max_cpu = max(TALLY.max_cpu, time.process_time() - start)
    TALLY.documents += len(docs)
    TALLY.problems += len(problems)
    for row in problems.to_dict("records"):
        if not str(row["file"]).endswith(path.name):
            TALLY.fail(f"{suffix} unnamed", f"{suffix}: a problem names {row['file']!r}, not the file")
        if str(row["problem"]).startswith(LAST_GUARD) or "MemoryError" in str(row["problem"]):
            TALLY.fail(f"{suffix} last guard", f"{suffix}: reached the last guard: {row['problem']}"[:300]
                       + f" input={data[:200]!r}")
    for raw in docs["raw"]:
        if len(raw.encode("utf-8", "surrogatepass")) > CAP:
            TALLY.fail(f"{suffix} over the cap", f"{suffix}: a document of {len(raw):,} characters passed the cap")


# --------------------------------------------------------------------------- seeds


def _seeds() -> dict[str, bytes]:
    lines = ["关于加强干部队伍建设的讲话", "同志们：", "#一、抓好基层组织", "要关心年轻干部。", "#二、做好人才工作"]
    numbered = docx([paragraph("加强组织建设", num_id=1), paragraph("严管干部", num_id=1, ilvl="1")],
                    numbering=numbering_xml(start="3", fmt="chineseCounting", text="%1、"))
    return {"real": real_docx(lines), "numbered": numbered}


SEEDS = _seeds()
_PARTS = {name: {info.filename: zipfile.ZipFile(io.BytesIO(data)).read(info) for info in
                 zipfile.ZipFile(io.BytesIO(data)).infolist()} for name, data in SEEDS.items()}

#: XML pieces a mutation may insert: deep nesting, numbering with odd values, entities, a DTD.
SNIPPETS = [
    "<w:p>" * 50 + "</w:p>" * 50,
    '<w:numPr><w:ilvl w:val="99999999999"/><w:numId w:val="1"/></w:numPr>',
    '<w:numPr><w:ilvl w:val="x"/><w:numId w:val="1"/></w:numPr>',
    '<w:start w:val="-5"/>', '<w:start w:val="1e9"/>', '<w:lvlText w:val="%1%2%3%4%5%6%7%8%9"/>',
    '<w:numFmt w:val="upperRoman"/>', '<w:numFmt w:val="lowerLetter"/>', '<w:numFmt w:val="chineseLegalSimplified"/>',
    "<w:tbl><w:tr><w:tc><w:tbl><w:tr><w:tc><w:p><w:r><w:t>表</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:tc></w:tr></w:tbl>",
    "<w:t>&amp;&lt;&#0;&#x1F600;</w:t>", "&undefined;", "<!DOCTYPE x [<!ENTITY a 'aaaa'>]>",
    "<w:txbxContent><w:p><w:r><w:t>框</w:t></w:r></w:p></w:txbxContent>", "<w:br/><w:tab/>", "\x00", "]]>",
]


# --------------------------------------------------------------------------- strategies


@st.composite
def mutated_bytes(draw, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "copy"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[pos] ^= draw(st.integers(1, 255))
        elif op == "cut":
            del data[pos:pos + draw(st.integers(1, 64))]
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif data:
            start = draw(st.integers(0, len(data) - 1))
            data[pos:pos] = data[start:start + draw(st.integers(1, 256))]
    return bytes(data)


@st.composite
def mutated_parts(draw) -> bytes:
    seed = draw(st.sampled_from(sorted(_PARTS)))
    parts = dict(_PARTS[seed])
    xml_names = sorted(n for n in parts if n.endswith(".xml"))
    for _ in range(draw(st.integers(1, 4))):
        name = draw(st.sampled_from(xml_names))
        text = parts[name].decode("utf-8", "replace")
        pos = draw(st.integers(0, len(text)))
        piece = draw(st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=20)))
        if draw(st.booleans()):
            text = text[:pos] + piece + text[pos:]
        else:
            text = text[:pos] + piece + text[pos + draw(st.integers(0, 40)):]
        parts[name] = text.encode("utf-8", "surrogatepass")
    buffer = io.BytesIO()
    method = draw(st.sampled_from([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED]))
    with zipfile.ZipFile(buffer, "w", method) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    data = buffer.getvalue()
    if draw(st.booleans()) and "word/numbering.xml" in parts and method == zipfile.ZIP_DEFLATED:
        data = damage_data(data, "word/numbering.xml", draw(st.binary(min_size=1, max_size=8)))
    return data


_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(allow_nan=True),
                     st.text(max_size=30))
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                       max_leaves=20)


@st.composite
def json_lines(draw) -> bytes:
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["record", "deep", "bigint", "value", "broken"]))
        if kind == "record":
            record = draw(st.dictionaries(st.sampled_from(["id", "title", "date", "year", "正文", "标题", "x"]),
                                          _values, max_size=5))
            if draw(st.booleans()):
                record["text"] = draw(st.one_of(st.text(max_size=200), _values))
            lines.append(json.dumps(record, ensure_ascii=draw(st.booleans())))
        elif kind == "deep":
            depth = draw(st.integers(1, 200_000))
            opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
            lines.append('{"text": "甲", "x": ' + opener * depth + "1" + closer * depth + "}")
        elif kind == "bigint":
            digits = draw(st.integers(15, 10_000))
            lines.append('{"id": ' + "9" * digits + ', "text": "乙"}')
        elif kind == "value":
            lines.append(json.dumps(draw(_values)))
        else:
            lines.append(draw(st.text(max_size=60)))
    return "\n".join(lines).encode("utf-8", "surrogatepass")


@st.composite
def table_text(draw) -> bytes:
    delimiter = draw(st.sampled_from([",", "\t", ";", "|"]))
    header = delimiter.join(draw(st.lists(st.sampled_from(["id", "title", "text", "正文", "date", '"q"', ""]),
                                          min_size=1, max_size=4)))
    alphabet = st.sampled_from(list('甲乙人才,;|\t"\n\r =+-@\x00\''))
    rows = draw(st.lists(st.text(alphabet, max_size=40), max_size=5))
    data = (header + "\n" + "\n".join(rows)).encode(draw(st.sampled_from(["utf-8", "gb18030", "utf-16"])),
                                                     "replace")
    return data


# --------------------------------------------------------------------------- the runs


def run(examples: int) -> dict:
    common = settings(max_examples=examples, deadline=None, database=None, derandomize=False,
                      phases=[Phase.generate], suppress_health_check=list(HealthCheck))

    @common
    @given(st.binary(max_size=4096), st.sampled_from(EXTENSIONS))
    def random_bytes(data, suffix):
        check(data, suffix)

    @common
    @given(st.sampled_from(sorted(SEEDS)).flatmap(lambda name: mutated_bytes(SEEDS[name])))
    def mutated_docx(data):
        check(data, ".docx")

    @common
    @given(mutated_parts())
    def mutated_xml(data):
        check(data, ".docx")

    @common
    @given(json_lines())
    def jsonl(data):
        check(data, ".jsonl")

    @common
    @given(table_text(), st.sampled_from([".csv", ".tsv"]))
    def tables(data, suffix):
        check(data, suffix)

    started = time.process_time()
    wall = time.monotonic()
    for strategy in (random_bytes, mutated_docx, mutated_xml, jsonl, tables):
        strategy()
    out = TALLY.as_dict()
    out["cpu_seconds"] = round(time.process_time() - started, 1)
    out["wall_seconds"] = round(time.monotonic() - wall, 1)
    out["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=100, help="examples per strategy (five strategies)")
    parser.add_argument("--memory-mb", type=int, default=0, help="address-space limit of this process (0: none)")
    args = parser.parse_args(argv)
    if args.memory_mb:
        limit = args.memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    result = run(args.examples)
    print(json.dumps(result, ensure_ascii=False))
    return 1 if result["failure_count"] else 0


if __name__ == "__main__":
    sys.exit(main())
