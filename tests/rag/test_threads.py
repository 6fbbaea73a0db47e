"""numpy's BLAS is held to the configured threads once the services exist (rag/core/threads.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

SCRIPT = """
import json
import numpy
from threadpoolctl import threadpool_info
from rag.core.settings import Settings
from rag.container import Services
def pools():
    return sorted({{i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}})
before = pools()
Services(Settings(blas_threads={threads}))
print(json.dumps([before, pools()]))
"""


@pytest.mark.parametrize("threads", [1, 0])
def test_services_limit_blas_threads(threads: int) -> None:
    # A subprocess: the limit is process-wide and would outlive this test.
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(threads=threads)], capture_output=True, text=True, check=True
    ).stdout
    before, after = json.loads(out)
    assert before, "numpy's BLAS was not found"
    assert after == ([1] if threads else before)
