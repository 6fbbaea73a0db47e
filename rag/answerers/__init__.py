"""Answerers: extractive (no LLM), local (llama.cpp + bundled SmolLM2) and openai (any compatible endpoint).

Importing this package is cheap: llama_cpp and langchain_openai load only when an answerer is built.
"""

from __future__ import annotations

import importlib.util

from rag.answerers.base import Answerer, AnswererError, ModelMissingError
from rag.core.settings import Settings

__all__ = ["Answerer", "AnswererError", "ModelMissingError", "available_modes"]


def available_modes(settings: Settings) -> list[str]:
    """Modes that can run here: extractive always, local with a GGUF on disk, openai with a base URL."""
    from rag.answerers.local import resolve_model_path

    modes = ["extractive"]
    try:
        local_ok = (
            resolve_model_path(settings).is_file() and importlib.util.find_spec("llama_cpp") is not None
        )
    except ModelMissingError:
        local_ok = False
    if local_ok:
        modes.append("local")
    if settings.openai_base_url:
        modes.append("openai")
    return modes
