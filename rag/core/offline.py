"""The environment every PolicyQA process runs under: offline, no telemetry, quiet threads.

Set before gradio, chromadb or transformers is imported: none of them may reach the network, and on a
2-core machine shared with other jobs, threads must sleep rather than spin while they wait.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

OFFLINE_ENV: dict[str, str] = {
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "OMP_WAIT_POLICY": "PASSIVE",  # llama.cpp and OpenMP threads spin otherwise, starving the others
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
}


def apply_offline_env(env: MutableMapping[str, str] = os.environ) -> None:
    """Fill in what the user has not set; an explicit value always wins."""
    for key, value in OFFLINE_ENV.items():
        env.setdefault(key, value)


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a child process: ours, then the offline defaults, then `extra`."""
    return {**os.environ, **OFFLINE_ENV, **extra}
