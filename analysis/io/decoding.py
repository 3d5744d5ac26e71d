"""Decoding a text file's bytes: byte-order marks, UTF-8, the GB family and UTF-16, chosen by how
much of the result reads as Chinese text (:func:`decode_text`); an undecodable file gets an error
naming the first bad byte and how to re-save it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from analysis.io.document import CorpusError
from analysis.io.normalize import _class

# --------------------------------------------------------------------------- decoding

_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "hz", "hz_gb_2312", "cp936", "euc_cn"}
_RESAVE = "open it in a text editor and save it as UTF-8 (or save the Word file as .docx)"


_CJK_GOOD = "\u4e00-\u9fff\u3400-\u4dbf\u3000-\u303f\uff00-\uffef\u2010-\u2027\u00b7\u00d7"
_CJK_GOOD_RUN_RE = re.compile(f"[{_CJK_GOOD}]+")
#: A run of characters :func:`_cjk_score` does not skip and does not call good.
_CJK_REST_RUN_RE = re.compile(f"[^\t\n\x0b\x0c\r\x20-\x7f{_CJK_GOOD}]+")
_BAD_ASCII_RE = re.compile("[\x00-\x08\x0e-\x1f]")  # below 32, not \t \n \v \f \r
_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")


@lru_cache(maxsize=1)
def _cjk_bad_re() -> re.Pattern:
    """The non-ASCII characters of the Basic Multilingual Plane that :func:`_cjk_score` calls junk."""
    good = re.compile(f"[{_CJK_GOOD}]")
    return re.compile(_class([o for o in range(128, 0x10000) if not good.match(chr(o))
                              and (0xE000 <= o <= 0xF8FF or unicodedata.category(chr(o)) in ("Cc", "Co", "Cn"))]))


def _cjk_score(text: str) -> float:
    """Share of non-ASCII characters that are Han or CJK punctuation, penalizing junk.

    Per character: ASCII counts only when it is a control character other than
    ``\\t\\n\\v\\f\\r`` (junk); a non-ASCII character is good (CJK ideographs,
    CJK and full-width punctuation and forms, ``‐``-``‧``, ``·``, ``×``), junk (private use,
    control, unassigned) or other. Score: (good - 2 junk) / counted. Counted with two scans
    by character class (good runs, and the runs of the rest, which in Chinese text are few
    and short); beyond the Basic Multilingual Plane each distinct character's category is
    looked up once.
    """
    step = 1 << 16
    good = 0
    rest_runs: list[str] = []
    for pos in range(0, len(text), step):
        good += sum(map(len, _CJK_GOOD_RUN_RE.findall(text, pos, pos + step)))
        rest_runs += _CJK_REST_RUN_RE.findall(text, pos, pos + step)
    rest = "".join(rest_runs)
    del rest_runs
    astral: dict[str, int] = {}
    for ch in _ASTRAL_RE.findall(rest):
        astral[ch] = astral.get(ch, 0) + 1
    bad = (len(_BAD_ASCII_RE.findall(rest)) + len(_cjk_bad_re().findall(rest))
           + sum(n for ch, n in astral.items() if unicodedata.category(ch) in ("Cc", "Co", "Cn")))
    total = good + len(rest)  # good + junk + other
    return (good - 2 * bad) / total if total else 0.0


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode the bytes of a text file; return ``(text, encoding)``.

    The decision, in order: a byte-order mark wins (UTF-8, UTF-16, UTF-32); bytes
    with NUL characters and no mark are binary (unless charset-normalizer finds
    BOM-less UTF-16 that reads as Chinese); strict UTF-8; otherwise GB18030 and
    charset-normalizer's candidates compete on how Chinese the decoded text reads
    (share of Han characters and CJK punctuation among the non-ASCII characters),
    GB18030 winning ties. Short GBK texts fool detectors (``"讲话"`` in GBK is also
    valid Big5 and CP949), and this corpus is simplified Chinese, hence the tie rule.
    GBK and GB2312 files are decoded with GB18030, their superset, and reported as
    ``gb18030``.

    Args:
        data: The file's bytes.

    Returns:
        ``(text, encoding)``; the text does not include the byte-order mark.

    Raises:
        CorpusError: Empty input, binary data, or bytes no candidate decodes into
            Chinese text (the error has no file; callers add it).

    Example:
        >>> decode_text("讲话".encode("gbk"))
        ('讲话', 'gb18030')
        >>> decode_text("\\ufeff讲话".encode("utf-16-le"))
        ('讲话', 'utf-16-le')
    """
    if not data:
        raise CorpusError("the file is empty (0 bytes)",
                          fix="put the speech's text in it, or remove the file")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec.replace("-sig", "")), codec
            except UnicodeDecodeError as exc:
                raise CorpusError(
                    f"the file starts with a {codec} byte-order mark, but the bytes at offset "
                    f"{exc.start + len(bom)} are not valid {codec}", fix=_RESAVE) from None
    import charset_normalizer

    if b"\x00" in data:
        for result in charset_normalizer.from_bytes(data):
            enc = result.encoding
            if enc.startswith(("utf_16", "utf_32")):
                codec = enc.replace("_", "-")
                try:
                    text = data.decode(codec)
                except UnicodeDecodeError:
                    continue
                if _cjk_score(text) >= 0.5:
                    return text, codec
        raise CorpusError("this looks like a binary file, not text (it contains NUL bytes)",
                          fix="save the speech as plain text (.txt, UTF-8) or as .docx")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    candidates: list[tuple[str, str]] = []
    try:
        candidates.append(("gb18030", data.decode("gb18030")))
    except UnicodeDecodeError:
        pass
    detected = charset_normalizer.from_bytes(data)
    best = detected.best()
    for result in detected:
        enc = result.encoding
        if enc.startswith(("utf_16", "utf_32", "utf_8", "ascii")):
            continue
        codec = "gb18030" if enc in _GB_FAMILY else enc
        if any(codec == name for name, _ in candidates):
            continue
        try:
            candidates.append((codec, data.decode(codec)))
        except (UnicodeDecodeError, LookupError):
            continue
    scored = [(_cjk_score(text), -k, name, text) for k, (name, text) in enumerate(candidates)]
    if scored:
        score, _, name, text = max(scored)
        if score >= 0.5:
            return text, name
    codec, offset = _first_bad_byte(data, utf8_error)
    byte = data[offset]
    line = data.count(b"\n", 0, offset) + 1
    guess = f"; charset-normalizer's best guess, {best.encoding}, does not give Chinese text" if best else ""
    raise CorpusError(
        f"the bytes cannot be decoded: the file reads as {codec} up to byte 0x{byte:02X} at offset {offset} "
        f"(line {line}), which is not valid {codec}, and neither GB18030 nor a detected encoding reads "
        f"the whole file as Chinese{guess}",
        fix=f"the file may mix encodings or be damaged at that point: {_RESAVE}")


def _first_bad_byte(data: bytes, utf8_error: UnicodeDecodeError) -> tuple[str, int]:
    """The encoding most of the file is in, and the offset of its first invalid byte.

    A GBK file with one damaged byte is "not UTF-8" at offset 0; the byte that is
    really wrong is the first one GB18030 rejects. The encoding that decodes more of the
    file (fewer replacement characters) is taken to be the file's own.
    """
    def first_error(codec: str) -> int | None:
        try:
            data.decode(codec)
        except UnicodeDecodeError as exc:
            return exc.start
        return None

    utf8_bad = data.decode("utf-8", errors="replace").count("\ufffd")
    gb_bad = data.decode("gb18030", errors="replace").count("\ufffd")
    gb_error = first_error("gb18030")
    if gb_error is not None and gb_bad < utf8_bad:
        return "GB18030", gb_error
    return "UTF-8", utf8_error.start
