"""A study: what the main job compares, read by the notebooks, the CLI and the report alike.

A study file (YAML) names the corpus folder, the reference speeches, the speech or
speeches in focus, the groups (metadata filters), the comparisons (speech vs speech,
speech vs group, group vs group) and the sections to set side by side::

    title: Two district speeches against national ones
    corpus: my_speeches/            # relative to the study file
    references: profiles            # profiles (the shipped 80 speeches) | none | [files or folders]
    focus: [district-2024]          # the speeches studied; default: every speech of the corpus folder
    groups:
      national organization work: {kind: [organization_work], level: [national]}
      party building since 2012: {kind: [party_building], year: {from: 2012}}
    comparisons:                    # A vs B; differences are B − A
      - {a: district-2024, b: district-2023}
      - {a: district-2024, b: "group:national organization work"}
    sections:                       # parts of one speech set side by side (notebook 04)
      - {document: district-2024, a: 三, b: 四}
    share: tokens                   # tokens | han | sentences
    unit: sentence                  # bootstrap unit: sentence | paragraph

:func:`load_study` reads one; without a file, :func:`default_study` makes one from the
corpus folder: the bundled corpus gets ``corpus/study.yaml`` (the seed against the 2020
organization-line speech and against matched reference speeches), any other folder
compares its speeches with each other and each with the reference speeches that match
its kind, level and era (:func:`analysis.speeches.match_references`); when none match,
the study says so instead of comparing with whatever is there.

>>> s = study_from_dict({"focus": ["a"], "groups": {"g": {"kind": ["x"]}},
...                      "comparisons": [{"a": "a", "b": "group:g"}]})
>>> s.focus, s.comparisons[0].b, s.share
(('a',), 'group:g', 'tokens')
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import paths

__all__ = ["Study", "StudyComparison", "StudyError", "load_study", "study_from_dict", "default_study",
           "resolve_study", "plan_study", "STUDY_FILE", "GROUP_PREFIX", "MAX_PAIRS",
           "MAX_CHAINED"]

#: The study file of a corpus folder, read when no study is named.
STUDY_FILE = "study.yaml"
#: A comparison side naming a group instead of a speech.
GROUP_PREFIX = "group:"
#: A corpus folder of more speeches than this is compared speech by speech in date order
#: (each with the next) instead of every pair.
MAX_PAIRS = 6
#: A corpus folder's made study compares at most this many speeches with the next: those of a
#: larger folder that come last in date order (each comparison is a table and a chart in notebook
#: 05; a folder of 1,000 speeches would get 999 of each). A study file chooses others.
MAX_CHAINED = 12
_SHARES = ("tokens", "han", "sentences")
_UNITS = ("sentence", "paragraph")


class StudyError(ValueError):
    """A study file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class StudyComparison:
    """One comparison of a study: A against B (ids, or ``group:NAME``); differences are B − A."""

    a: str
    b: str
    label_a: str = ""
    label_b: str = ""


@dataclass(frozen=True)
class Study:
    """What the main job compares.

    Attributes:
        title: Shown at the top of the report.
        corpus: The corpus folder (None: the bundled ``corpus/`` or ``$ANALYSIS_CORPUS_DIR``).
        references: ``"profiles"``, ``"none"`` or a tuple of files/folders of full texts.
        focus: Ids of the speeches in focus (empty: every speech of the corpus folder).
        groups: Name → metadata filter (column → allowed values).
        comparisons: The comparisons, in order.
        sections: ``(document, a, b)`` triples: parts of one speech set side by side.
        share: Theme share: ``tokens``, ``han`` or ``sentences``.
        unit: Bootstrap unit: ``sentence`` or ``paragraph``.
        source: The file it was read from ("" when made).
        notes: Sentences saying how the study was made (e.g. no matching references).
    """

    title: str = ""
    corpus: Path | None = None
    references: Any = "profiles"
    focus: tuple[str, ...] = ()
    groups: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    comparisons: tuple[StudyComparison, ...] = ()
    sections: tuple[tuple[str, str | None, str | None], ...] = ()
    share: str = "tokens"
    unit: str = "sentence"
    source: str = ""
    notes: tuple[str, ...] = ()

    @property
    def document(self) -> str | None:
        """The first speech in focus (the single-speech notebooks study it), or None."""
        return self.focus[0] if self.focus else None

    def reference_paths(self) -> list[Path] | None:
        """``references`` as :func:`analysis.speeches.corpus_features` takes it: None (profiles), [] or paths."""
        if self.references in (None, "profiles"):
            return None
        if self.references in ("none", "", ()):
            return []
        return [Path(p) for p in self.references]

    def section_pair(self, document: str) -> tuple[str | None, str | None]:
        """The sections the study sets side by side in ``document`` ((None, None) when it names none)."""
        for doc, a, b in self.sections:
            if doc == document:
                return a, b
        return None, None

    def group_ids(self, documents: pd.DataFrame, name: str, *, exclude: Sequence[str] = ()) -> list[str]:
        """The ids of group ``name`` among ``documents`` (never the excluded ids).

        Raises:
            StudyError: for an unknown group, or a filter on a column the documents lack.
        """
        if name not in self.groups:
            raise StudyError(f"{self.source or 'study'}: no group {name!r}; groups: {list(self.groups)}")
        meta = documents
        for column, value in self.groups[name].items():
            if column == "id":
                values = [str(v) for v in (value if isinstance(value, (list, tuple)) else [value])]
                meta = meta[meta["id"].astype(str).isin(values)]
                continue
            if column not in meta.columns:
                return []
            if isinstance(value, Mapping):  # a range of numbers: {from: 2012, to: 2025}
                numbers = pd.to_numeric(meta[column], errors="coerce")
                keep = numbers.notna()
                if value.get("from") is not None:
                    keep &= numbers >= float(value["from"])
                if value.get("to") is not None:
                    keep &= numbers <= float(value["to"])
                meta = meta[keep]
                continue
            values = list(value) if isinstance(value, (list, tuple, set)) else [value]
            meta = meta[meta[column].astype(str).isin([str(v) for v in values])]
        return [str(i) for i in meta["id"] if str(i) not in set(exclude)]

    def describe(self) -> pd.DataFrame:
        """The study as a table for a notebook or the report: ``field, value``."""
        rows = [("title", self.title), ("file", _shown_path(self.source) if self.source else "(made from the corpus folder)"),
                ("corpus", _shown_path(self.corpus or paths.corpus_dir())),
                ("references", self.references if isinstance(self.references, str) else ", ".join(map(str, self.references))),
                ("focus", _listed(self.focus) or "(every speech of the corpus folder)"),
                ("groups", "; ".join(f"{k}: {_filter_text(v)}" for k, v in self.groups.items())),
                ("comparisons", "; ".join(f"{c.a} vs {c.b}" for c in self.comparisons)),
                ("sections", "; ".join(f"{d}: {a} vs {b}" for d, a, b in self.sections)),
                ("share", self.share), ("unit", self.unit)]
        rows += [("note", n) for n in self.notes]
        from analysis.results import declare

        return declare(pd.DataFrame(rows, columns=["field", "value"]), result="study", kinds={"value": "text"})


#: Ids a study's description lists before it says how many more there are.
LISTED_IDS = 20


def _listed(ids: Sequence[str]) -> str:
    """Ids joined with commas; a long list shows its first :data:`LISTED_IDS` - 1 and its last, and how many
    in all (a folder of 1,000 speeches is 1,000 ids).

    >>> _listed([f"s{i}" for i in range(3)])
    's0, s1, s2'
    >>> _listed([f"s{i}" for i in range(1000)])[-49:]
    's17, s18, …, s999 (1,000 speeches; 980 not shown)'
    """
    if len(ids) <= LISTED_IDS:
        return ", ".join(ids)
    shown = [*ids[:LISTED_IDS - 1], "…", ids[-1]]
    return f"{', '.join(shown)} ({len(ids):,} speeches; {len(ids) - LISTED_IDS:,} not shown)"


def _shown_path(path) -> str:
    """A path as a report shows it: relative to the project when inside it, else its last two parts (no
    absolute paths of this machine in a report that travels)."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(paths.project_root().resolve()))
    except ValueError:
        return str(Path(*path.parts[-2:])) if len(path.parts) >= 2 else str(path)


def _filter_text(spec: Mapping[str, Any]) -> str:
    """A group's filter in words; a long id list is counted, not listed."""
    parts = []
    for column, value in spec.items():
        if column == "id" and isinstance(value, (list, tuple)) and len(value) > 3:
            parts.append(f"{len(value)} speeches chosen by id")
        elif isinstance(value, Mapping):
            parts.append(f"{column} {value.get('from', '…')}–{value.get('to', '…')}")
        else:
            shown = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
            parts.append(f"{column}: {shown}")
    return "; ".join(parts) or "every speech"


def _text_list(value: Any, *, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (str, int)):
        return (str(value),)
    if isinstance(value, (list, tuple)) and all(isinstance(v, (str, int)) for v in value):
        return tuple(str(v) for v in value)
    raise StudyError(f"{where}: expected an id or a list of ids, got {value!r}")


def study_from_dict(data: Mapping[str, Any], *, source: str = "", base: Path | None = None) -> Study:
    """A :class:`Study` from parsed YAML; paths relative to ``base`` (the study file's folder).

    Raises:
        StudyError: naming ``source`` and the field that is wrong.
    """
    where = source or "study"
    if not isinstance(data, Mapping):
        raise StudyError(f"{where}: a study is a mapping of fields (title, corpus, focus …), got {type(data).__name__}")
    known = {"title", "corpus", "references", "focus", "groups", "comparisons", "sections", "share", "unit"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise StudyError(f"{where}: unknown field(s) {unknown}; fields: {sorted(known)}")
    base = base or Path.cwd()
    corpus = data.get("corpus")
    corpus_path = (base / str(corpus)).resolve() if corpus else None
    refs = data.get("references", "profiles")
    if isinstance(refs, (list, tuple)):
        refs = tuple(str((base / str(r)).resolve()) for r in refs)
    elif refs not in ("profiles", "none", None):
        raise StudyError(f"{where}: references must be 'profiles', 'none' or a list of files/folders, got {refs!r}")
    groups = data.get("groups") or {}
    if not isinstance(groups, Mapping) or not all(isinstance(v, Mapping) for v in groups.values()):
        raise StudyError(f"{where}: groups must map a name to a metadata filter such as {{kind: [organization_work]}}")
    comparisons = []
    for k, item in enumerate(data.get("comparisons") or []):
        if not isinstance(item, Mapping) or "a" not in item or "b" not in item:
            raise StudyError(f"{where}: comparisons[{k}] needs a and b (speech ids or group:NAME), got {item!r}")
        for side in ("a", "b"):
            value = str(item[side])
            if value.startswith(GROUP_PREFIX) and value[len(GROUP_PREFIX):] not in groups:
                raise StudyError(f"{where}: comparisons[{k}].{side} names {value!r}, which is not in groups "
                                 f"({list(groups)})")
        comparisons.append(StudyComparison(str(item["a"]), str(item["b"]), str(item.get("label_a", "")),
                                           str(item.get("label_b", ""))))
    sections = []
    for k, item in enumerate(data.get("sections") or []):
        if not isinstance(item, Mapping) or "document" not in item:
            raise StudyError(f"{where}: sections[{k}] needs document, a and b, got {item!r}")
        sections.append((str(item["document"]), item.get("a"), item.get("b")))
    share = str(data.get("share", "tokens"))
    unit = str(data.get("unit", "sentence"))
    if share not in _SHARES:
        raise StudyError(f"{where}: share must be one of {_SHARES}, got {share!r}")
    if unit not in _UNITS:
        raise StudyError(f"{where}: unit must be one of {_UNITS}, got {unit!r}")
    return Study(title=str(data.get("title") or ""), corpus=corpus_path, references=refs or "profiles",
                 focus=_text_list(data.get("focus"), where=f"{where}: focus"), groups=dict(groups),
                 comparisons=tuple(comparisons), sections=tuple(sections), share=share, unit=unit, source=source)


def load_study(path: str | Path) -> Study:
    """Read a study file (YAML, data only: ``yaml.safe_load``).

    Raises:
        StudyError: the file is missing, does not parse, or a field is wrong (the message names it).
    """
    import yaml

    path = Path(path)
    if not path.is_file():
        raise StudyError(f"{path}: no such study file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise StudyError(f"{path}: the study file does not parse as YAML ({error})") from error
    study = study_from_dict(data, source=str(path), base=path.parent)
    if study.corpus is None and path.parent.resolve() != paths.corpus_dir().resolve():
        study = replace(study, corpus=path.parent.resolve())
    return study


def _date_order(documents: pd.DataFrame) -> list[str]:
    order = documents.assign(_d=documents["date"].astype(str) if "date" in documents.columns else "")
    return [str(i) for i in order.sort_values(["_d", "id"], kind="stable")["id"]]


def default_study(documents: pd.DataFrame, *, corpus: str | Path | None = None,
                  references: pd.DataFrame | None = None) -> Study:
    """The study made for a corpus folder without a study file.

    Every speech of the folder is in focus. With two to :data:`MAX_PAIRS` speeches, every
    pair is compared (earlier as A, later as B); with more, each with the next in date
    order, for the last :data:`MAX_CHAINED` + 1 speeches at most (a note says how many were
    left out of the comparisons). Each speech compared is also compared with the reference
    speeches matching its kind, level and era (a group ``matched to <id>``); when none match,
    a note says so and no such comparison is made.

    Args:
        documents: The corpus folder's documents (``id`` and metadata).
        corpus: The folder (recorded in the study).
        references: The reference speeches' documents table (metadata), or None.

    Returns:
        A :class:`Study`.
    """
    from analysis.speeches import match_references

    ids = _date_order(documents)
    compared = ids[-(MAX_CHAINED + 1):]
    pairs = [(x, y) for i, x in enumerate(ids) for y in ids[i + 1:]] if len(ids) <= MAX_PAIRS else \
        list(zip(compared, compared[1:]))
    comparisons = [StudyComparison(a, b) for a, b in pairs]
    groups: dict[str, dict[str, Any]] = {}
    notes = []
    if len(compared) < len(ids):
        notes.append(f"The corpus folder holds {len(ids):,} speeches: the study made for it compares only the last "
                     f"{len(compared)} in date order, each with the next ({compared[0]} to {compared[-1]}); the "
                     f"other {len(ids) - len(compared):,} are in the tables and charts of the whole folder but in no "
                     "comparison. A study file (study.yaml, docs/lab.md) chooses the comparisons.")
    if references is not None and len(references):
        both = pd.concat([documents.drop(columns=[c for c in ("text", "raw", "raw_offsets") if c in documents.columns]),
                          references], ignore_index=True)
        ref_ids = [str(i) for i in references["id"]]
        for doc in compared:
            row = both[both["id"].astype(str) == doc].iloc[0]
            unknown = [c for c in ("kind", "level") if not str(row.get(c) or "").strip() or str(row.get(c)) == "nan"]
            if unknown:
                notes.append(f"The {' and '.join(unknown)} of {doc} is not known (add it to manifest.csv), so no "
                             "reference speeches are matched to it: it is compared with the corpus folder's "
                             "speeches only.")
                continue
            matched = match_references(both, doc, candidates=ref_ids)
            if matched.empty:
                notes.append(f"No reference speech matches {doc} in kind, level and era (the shipped references "
                             "hold none like it): it is compared with the corpus folder's speeches only.")
                continue
            name = f"matched to {doc}"
            groups[name] = {"id": [str(i) for i in matched["id"]]}
            comparisons.append(StudyComparison(doc, GROUP_PREFIX + name))
    elif references is None:
        notes.append("No reference speeches were given: the speeches are compared with each other only.")
    if len(ids) < 2 and not groups:
        notes.append("The corpus folder holds one speech and nothing matches it: there is nothing to compare it with.")
    return Study(title=f"Speeches of {Path(corpus).name if corpus else 'the corpus folder'}",
                 corpus=Path(corpus).resolve() if corpus else None, references="profiles",
                 focus=tuple(ids), groups=groups, comparisons=tuple(comparisons), notes=tuple(notes))


def resolve_study(study: str | Path | Study | None = None, *, corpus: str | Path | None = None) -> Study:
    """The study a notebook or the report uses.

    In order: ``study`` (a file or a :class:`Study`); ``$ANALYSIS_STUDY``; the corpus
    folder's ``study.yaml``; else :func:`default_study` of the corpus folder (its
    documents matched against the shipped reference profiles).

    Args:
        study: A study file, a Study, or None.
        corpus: The corpus folder (None: ``$ANALYSIS_CORPUS_DIR``, else the bundled ``corpus/``).

    Raises:
        StudyError: when the named study file is unusable.
    """
    if isinstance(study, Study):
        return study
    if study is None and os.environ.get("ANALYSIS_STUDY"):
        study = os.environ["ANALYSIS_STUDY"]
    folder = Path(corpus) if corpus is not None else paths.corpus_dir()
    if study is not None:
        found = load_study(study)
        return found if corpus is None else replace(found, corpus=folder.resolve())
    if (folder / STUDY_FILE).is_file():
        found = load_study(folder / STUDY_FILE)
        return replace(found, corpus=folder.resolve())
    from analysis.speeches import corpus_documents

    documents = corpus_documents(folder)
    if documents is None or documents.empty:
        raise StudyError(f"{folder}: the corpus folder holds no speech that loads; nothing to study")
    try:
        from analysis.profiles import list_profiles

        refs = list_profiles()
        refs = refs[refs["collection"].astype(str).isin(["speeches"])] if "collection" in refs.columns else refs
    except (FileNotFoundError, OSError):
        refs = None
    return default_study(documents, corpus=folder, references=refs)


def _speech_label(documents: pd.DataFrame, doc: str) -> str:
    row = documents[documents["id"].astype(str) == doc]
    year = row["year"].iloc[0] if "year" in row.columns and len(row) else None
    return f"{doc} ({int(year)})" if year is not None and pd.notna(year) else doc


def plan_study(fs, study: Study) -> list:
    """The comparisons of a study as :class:`analysis.stats.compare.Comparison` objects on a FeatureSet.

    A side ``group:NAME`` becomes the group's speeches (never the other side's); a speech
    or group missing from the FeatureSet is left out with a warning naming it.

    Returns:
        A list of Comparison (A, B, labels, B's ids and a warning for a small, long or mixed group).
    """
    import warnings

    from analysis.stats.compare import Comparison
    from analysis.stats.meta import group_warning, with_year

    documents = with_year(fs.documents)
    known = set(documents["id"].astype(str))
    out = []

    def side(spec: str, exclude: list[str]) -> tuple[list[str], str, str] | None:
        if spec.startswith(GROUP_PREFIX):
            name = spec[len(GROUP_PREFIX):]
            ids = study.group_ids(documents, name, exclude=exclude)
            if not ids:
                warnings.warn(f"group {name!r} has no speech among these documents: comparison left out",
                              stacklevel=3)
                return None
            meta = documents[documents["id"].astype(str).isin(ids)]
            return ids, f"{name} ({len(ids)} speech{'' if len(ids) == 1 else 'es'})", group_warning(meta)
        if spec not in known:
            warnings.warn(f"speech {spec!r} is not in the corpus folder or the reference speeches: "
                          "comparison left out", stacklevel=3)
            return None
        return [spec], _speech_label(documents, spec), ""

    for c in study.comparisons:
        a = side(c.a, [])
        if a is None:
            continue
        b = side(c.b, a[0])
        if b is None:
            continue
        label_a, label_b = c.label_a or a[1], c.label_b or b[1]
        sel_a = a[0][0] if len(a[0]) == 1 and not c.a.startswith(GROUP_PREFIX) else a[0]
        sel_b = b[0][0] if len(b[0]) == 1 and not c.b.startswith(GROUP_PREFIX) else b[0]
        warning = "; ".join(w for w in (a[2] and f"A: {a[2]}", b[2] and f"B: {b[2]}") if w)
        out.append(Comparison(f"{label_a} vs {label_b}", sel_a, sel_b, label_a, label_b, tuple(b[0]), warning))
    return out
