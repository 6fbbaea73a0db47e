"""The answer-mode registry: one list of names everywhere, and what each mode needs to run."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest

from rag.answerers import MODE_NAMES, available_modes, build_answerer
from rag.answerers.registry import EXTRACTIVE, ModeSpec, mode_spec, register_mode
from rag.core.models import Mode
from rag.core.settings import Settings


def settings(**kw: object) -> Settings:
    return Settings(_env_file=None, **kw)  # type: ignore[call-arg]


def test_registry_names_are_the_mode_literals() -> None:
    assert MODE_NAMES == get_args(Mode)
    assert MODE_NAMES == get_args(Settings.model_fields["mode"].annotation)
    assert MODE_NAMES[0] == EXTRACTIVE  # the default, and always available
    assert all(mode_spec(name) is not None for name in MODE_NAMES)


def test_availability_follows_the_configuration(tmp_path: Path) -> None:
    no_model = settings(llm_gguf=tmp_path / "missing.gguf")
    assert available_modes(no_model) == ["extractive"]
    assert available_modes(settings(llm_gguf=tmp_path / "missing.gguf", openai_base_url="http://x/v1")) == [
        "extractive",
        "openai",
    ]
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"GGUF")
    spec = mode_spec("local")
    assert spec is not None
    # A file on disk is not enough without llama_cpp; with it, local is offered.
    import importlib.util

    expected = importlib.util.find_spec("llama_cpp") is not None
    assert spec.available(settings(llm_gguf=gguf)) is expected


def test_modes_without_a_generative_answerer_build_none() -> None:
    assert build_answerer("extractive", settings()) is None
    assert build_answerer("openai", settings()) is None  # no base URL configured
    assert build_answerer("no-such-mode", settings()) is None


def test_openai_mode_builds_its_answerer_without_calling_the_endpoint() -> None:
    from rag.answerers.openai import OpenAIAnswerer

    built = build_answerer("openai", settings(openai_base_url="http://127.0.0.1:1/v1"))
    assert isinstance(built, OpenAIAnswerer)
    assert built.name == "openai"


def test_a_mode_name_is_registered_once() -> None:
    with pytest.raises(ValueError):
        register_mode(ModeSpec(EXTRACTIVE, "again", lambda _s: True, lambda _s: None))


def test_the_container_builds_each_answerer_once(tmp_path: Path) -> None:
    from rag.container import Services

    svc = Services(settings(data_dir=tmp_path, openai_base_url="http://127.0.0.1:1/v1"))
    assert svc.answerer("extractive") is None
    first = svc.answerer("openai")
    assert first is not None and svc.answerer("openai") is first
