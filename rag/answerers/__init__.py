"""Answerers: extractive (no LLM), local (llama.cpp + bundled SmolLM2) and openai (any compatible endpoint).

Importing this package is cheap: llama_cpp and langchain_openai load only when an answerer is built.
"""

from __future__ import annotations

from rag.answerers.base import Answerer, AnswererError, ModelMissingError
from rag.answerers.registry import MODE_NAMES, available_modes, build_answerer

__all__ = [
    "MODE_NAMES",
    "Answerer",
    "AnswererError",
    "ModelMissingError",
    "available_modes",
    "build_answerer",
]
