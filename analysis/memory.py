"""Memory held back by the allocators: hand it to the system, and prefer the allocator that holds less.

pandas keeps text columns in Arrow buffers, allocated from Arrow's memory pool. Arrow's
default pool (mimalloc in the pyarrow wheels) keeps freed blocks for reuse: after a long
document's tables are freed, hundreds of megabytes can stay resident and the next step's
peak comes on top of them. Measured on the 64 MiB document (``tests/benchmarks/
bench_report_memory.py``, ``docs/performance.md``): with jemalloc, whose freed pages are
returned after a short decay, the peaks of the kernels of notebooks 03-08 were 150-350 MB lower,
and the results are the same (the pool only decides where bytes live).

- :func:`release_free_memory`: return what the pools and the C heap hold free now.
- :func:`lean_arrow_pool`: the pool name the project prefers, when this pyarrow has it.
- :func:`name_lean_pool`: name it in an environment for the processes started with it.
- :func:`use_lean_allocator`: make it this process's default pool (the command line does,
  and :func:`analysis.output.report.run_notebooks` names it to the kernels it starts),
  unless ``ARROW_DEFAULT_MEMORY_POOL`` already says which pool to use.

>>> lean_arrow_pool() in (None, "jemalloc")
True
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping

#: The environment variable Arrow reads at start-up to choose its default memory pool.
ARROW_POOL_VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"
#: The pool preferred when this pyarrow was built with it.
LEAN_POOL = "jemalloc"


def lean_arrow_pool() -> str | None:
    """``"jemalloc"`` when this pyarrow was built with it, else None (then Arrow's default stays)."""
    try:
        import pyarrow as pa

        pa.jemalloc_memory_pool()
    except (ImportError, NotImplementedError, AttributeError):
        return None
    return LEAN_POOL


def name_lean_pool(env: MutableMapping[str, str]) -> bool:
    """Name :func:`lean_arrow_pool` in the environment mapping ``env`` (``ARROW_DEFAULT_MEMORY_POOL``) for the
    processes started with it, unless ``env`` names a pool already or this pyarrow lacks it.

    Returns:
        Whether ``env`` was changed.

    >>> env = {"ARROW_DEFAULT_MEMORY_POOL": "system"}
    >>> name_lean_pool(env), env
    (False, {'ARROW_DEFAULT_MEMORY_POOL': 'system'})
    """
    pool = lean_arrow_pool()
    if pool is None or env.get(ARROW_POOL_VARIABLE):
        return False
    env[ARROW_POOL_VARIABLE] = pool
    return True


def use_lean_allocator() -> str:
    """Make :func:`lean_arrow_pool` this process's default Arrow pool, unless ``ARROW_DEFAULT_MEMORY_POOL``
    is set (the user's choice stays) or this pyarrow lacks it; the variable is then set for the
    processes it starts. Buffers made before keep their pool. For entry points (``python -m
    analysis``), not for library calls.

    Returns:
        The name of the default pool now in use.
    """
    import pyarrow as pa

    if name_lean_pool(os.environ):  # for this process, and the processes it starts (workers, kernels)
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    return pa.default_memory_pool().backend_name


def release_free_memory() -> None:
    """Hand memory that is free but still held back to the system: Arrow's pool (the one in use and
    the default's) and the C heap's free top (``malloc_trim``, glibc only). Nothing in use is touched.

    >>> release_free_memory()  # safe to call any time, anywhere
    """
    import ctypes
    import ctypes.util

    arrow = sys.modules.get("pyarrow")
    if arrow is not None:
        try:
            arrow.default_memory_pool().release_unused()
        except (AttributeError, NotImplementedError):  # pragma: no cover - older pyarrow
            pass
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to trim
        pass
