"""Loading spaCy's tagger without importing torch, which it never uses.

thinc (spaCy's layer library) imports torch whenever it is installed, only to offer PyTorch layers; the
bundled tagger runs on thinc's numpy ops. In a process that has not loaded torch yet (a served LLM mode:
queries are embedded by ONNX), that import alone costs about 185 MiB and a second. Python's documented
way to make an import fail is `sys.modules[name] = None`; thinc then records "no torch" and the tagger
loads in about 120 MiB instead of 305 (measured in a bare process). torch can still be imported afterwards.

While torch is hidden no other thread may import it, so every run-time import of torch takes this lock.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

TORCH_IMPORT_LOCK = threading.RLock()


@contextmanager
def torch_hidden() -> Iterator[None]:
    """Imports inside see torch as not installed, unless it is already loaded (then nothing changes)."""
    with TORCH_IMPORT_LOCK:
        if "torch" in sys.modules:
            yield
            return
        sys.modules["torch"] = None  # type: ignore[assignment]
        try:
            yield
        finally:
            if sys.modules.get("torch", 0) is None:
                del sys.modules["torch"]
