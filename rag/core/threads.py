"""Thread pools: numpy's BLAS runs the query path's matrix products on one thread.

The products are small (7k sentence vectors by one query: ~0.1 ms on one core), but they come right after
ONNX Runtime has embedded the query, and its worker threads keep spinning for a while after a run. On two
cores a second BLAS thread then waits for a core: retrieval p95 was 20.0 ms with numpy's default of two
threads and 7.8 ms with one, and a whole extractive answer p95 54.8 against 25.0 ms (bench/README.md,
"What made it fast").
torch (ingest's embeddings) has its own OpenMP pool, which this leaves alone.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def limit_blas_threads(threads: int | None) -> None:
    """Process-wide, for every BLAS library loaded so far (numpy's OpenBLAS is loaded by then)."""
    if not threads:
        return
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads, user_api="blas")
    log.debug("BLAS limited to %d thread(s)", threads)
