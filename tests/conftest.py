"""Shared fixtures: one settings object, one ingested index and one app per test session.

Ingesting the real corpus takes minutes on a small machine, so it happens once per session. During
development, point POLICYQA_TEST_DATA_DIR at a folder to keep the index between runs: it is re-ingested
only when the corpus (or the pipeline version) changed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

# Before anything imports gradio, chromadb or transformers: tests never reach the network.
from rag.core.offline import apply_offline_env

apply_offline_env()

import pytest  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from rag.core.settings import Settings  # noqa: E402

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "corpus"
TEST_API_KEY = "test-key-0123456789"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fuzz-examples",
        type=int,
        default=25,
        help="Hypothesis examples per API operation in tests/ui/test_schemathesis.py (default 25).",
    )


@pytest.fixture(scope="session")
def fuzz_examples(pytestconfig: pytest.Config) -> int:
    return int(pytestconfig.getoption("--fuzz-examples"))


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    """One embedding model for the tests that index or encode without the whole services object."""
    from rag.store.embedder import Embedder

    return Embedder()


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reuse = os.environ.get("POLICYQA_TEST_DATA_DIR")
    if reuse:
        path = Path(reuse).resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("policyqa-data")


@pytest.fixture(scope="session")
def settings(data_dir: Path) -> Settings:
    """Test settings: the session data dir, the real corpus, a known API key and no practical rate limit.

    `_env_file=None` so that a developer's .env cannot change what the tests see. The answer cache is
    off: tests ask the same questions from many places and mean to exercise the pipeline each time
    (tests/rag/test_answer_cache.py turns it on for itself).
    """
    return Settings(
        data_dir=data_dir,
        corpus_dir=CORPUS_DIR,
        api_key=SecretStr(TEST_API_KEY),
        rate_limit_per_minute=100_000,
        answer_cache_size=0,
        _env_file=None,
    )


@pytest.fixture(scope="session")
def services(settings: Settings):  # type: ignore[no-untyped-def]
    """The real services over the real corpus, ingested once per session (skipped when already current)."""
    from ingest.pipeline import ingest, is_stale
    from rag.container import Services

    svc = Services(settings)
    sources = [str(settings.corpus_dir)]
    if is_stale(settings, sources):
        report = ingest(sources, settings, svc.index)
        failed = [(f.source, f.reason) for f in report.failed]
        assert not failed, f"corpus ingest failed: {failed}"
        log.info("ingested %d chunks in %.0fs", report.chunks, report.seconds)
    return svc


@pytest.fixture(scope="session")
def app(settings: Settings, services):  # type: ignore[no-untyped-def]
    from ui.app import create_app

    return create_app(settings, services)


@pytest.fixture(scope="session")
def client(app) -> Iterator:  # type: ignore[no-untyped-def]
    """A TestClient with the lifespan running and the services loaded."""
    from fastapi.testclient import TestClient

    with TestClient(app) as test_client:
        assert app.state.policyqa.wait_ready(600), app.state.policyqa.load_error
        yield test_client
