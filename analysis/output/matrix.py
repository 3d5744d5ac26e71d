"""Writing a wide matrix (:mod:`analysis.stats.matrices`) as CSV (UTF-8 with BOM, for Excel and SPSS) or Parquet."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.output import export

__all__ = ["write_matrix"]


def write_matrix(matrix: pd.DataFrame, path: str | Path) -> Path:
    """Write a matrix with its index as the first column; the format follows the suffix (``.csv`` or ``.parquet``).

    Args:
        matrix: A wide DataFrame with a named index.
        path: The file to write (replaced atomically).

    Returns:
        The path written.

    Raises:
        ValueError: for another suffix.

    >>> import tempfile
    >>> m = pd.DataFrame({"人才": [1]}, index=pd.Index(["d"], name="document"))
    >>> p = write_matrix(m, Path(tempfile.mkdtemp()) / "m.parquet")
    >>> pd.read_parquet(p).to_dict()
    {'人才': {'d': 1}}
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        data = export.to_csv_text(matrix.reset_index()).encode(export.CSV_ENCODING)
    elif suffix == ".parquet":
        import io

        buffer = io.BytesIO()
        matrix.to_parquet(buffer)
        data = buffer.getvalue()
    else:
        raise ValueError(f"{path}: write a matrix as .csv or .parquet")
    path.parent.mkdir(parents=True, exist_ok=True)
    return export.atomic_write(path, data)
