"""Answer modes by name: what each needs to run here, and how its answerer is built.

One table instead of if/elif chains in the container, the UI and the CLI. The names must equal the
`Mode` literal of the result model (pydantic validates requests against it); tests assert that.
Factories import their backend lazily, so listing modes never loads llama_cpp or langchain_openai.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass

from rag.answerers.base import Answerer, ModelMissingError
from rag.core.settings import Settings

EXTRACTIVE = "extractive"


@dataclass(frozen=True)
class ModeSpec:
    name: str
    description: str
    # Whether this configuration can run the mode; must be cheap and must not load a model.
    available: Callable[[Settings], bool]
    # The generative answerer, or None when the mode has none (extractive is the chain's own path)
    # or is not configured. May raise AnswererError (a model file that is missing).
    build: Callable[[Settings], Answerer | None]


def _local_available(settings: Settings) -> bool:
    from rag.answerers.local import resolve_model_path

    try:
        return resolve_model_path(settings).is_file() and importlib.util.find_spec("llama_cpp") is not None
    except ModelMissingError:
        return False


def _build_local(settings: Settings) -> Answerer:
    from rag.answerers.local import LocalAnswerer

    return LocalAnswerer(settings)


def _build_openai(settings: Settings) -> Answerer | None:
    if not settings.openai_base_url:
        return None
    from rag.answerers.openai import OpenAIAnswerer

    return OpenAIAnswerer(settings)


_MODES: dict[str, ModeSpec] = {}


def register_mode(spec: ModeSpec) -> None:
    """Add a mode; its name must also be added to the `Mode` literal, or requests naming it fail."""
    if spec.name in _MODES:
        raise ValueError(f"answer mode {spec.name!r} is already registered")
    _MODES[spec.name] = spec


register_mode(
    ModeSpec(EXTRACTIVE, "verbatim quotes from the sources, no LLM", lambda _s: True, lambda _s: None)
)
register_mode(ModeSpec("local", "llama.cpp on the CPU (bundled SmolLM2)", _local_available, _build_local))
register_mode(
    ModeSpec("openai", "any OpenAI-compatible endpoint", lambda s: bool(s.openai_base_url), _build_openai)
)

# In registration order: the order the UI offers them in.
MODE_NAMES: tuple[str, ...] = tuple(_MODES)


def mode_spec(mode: str) -> ModeSpec | None:
    return _MODES.get(mode)


def available_modes(settings: Settings) -> list[str]:
    """Modes that can run here: extractive always, local with a GGUF on disk, openai with a base URL."""
    return [name for name, spec in _MODES.items() if spec.available(settings)]


def build_answerer(mode: str, settings: Settings) -> Answerer | None:
    """The generative answerer for `mode`; None for extractive, an unknown or an unconfigured mode."""
    spec = _MODES.get(mode)
    return spec.build(settings) if spec is not None else None
