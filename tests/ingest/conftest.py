"""Fixtures for indexing tests: a few small corpus documents (the shared embedder is in tests/conftest.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rag.core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SMALL_DOCS = [
    "diplomat-japans-ai-diplomacy-2024.md",
    "g7-leaders-statement-hiroshima-ai-process-2023-10-30.md",
    "g7-hiroshima-guiding-principles-2023.md",
]


@pytest.fixture()
def small_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in SMALL_DOCS:
        shutil.copy(ROOT / "corpus" / name, folder / name)
    return folder


@pytest.fixture()
def tmp_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", corpus_dir=ROOT / "corpus", _env_file=None)
