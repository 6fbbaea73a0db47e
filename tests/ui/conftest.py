"""UI/API fixtures: extra app variants over the shared services, and one real uvicorn server."""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import support
from fastapi.testclient import TestClient

from rag.core.offline import child_env
from rag.core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    """A function that returns a loopback port nobody listens on (at the time of the call)."""
    return support.free_port


@pytest.fixture(scope="session")
def make_client(settings: Settings, services) -> Callable[..., contextlib.AbstractContextManager[TestClient]]:  # type: ignore[no-untyped-def]
    """A fresh app over the shared services with some settings changed, e.g. `make_client(api_key=None)`."""
    from ui.app import create_app

    @contextlib.contextmanager
    def make(
        *, wait: bool = True, raise_server_exceptions: bool = True, **changes: Any
    ) -> Iterator[TestClient]:
        app = create_app(settings.model_copy(update=changes), services)
        with TestClient(app, raise_server_exceptions=raise_server_exceptions) as c:
            if wait:
                assert app.state.policyqa.wait_ready(120), app.state.policyqa.load_error
            yield c

    return make


@contextlib.contextmanager
def _served(settings: Settings, **env: str) -> Iterator[str]:
    """`policyqa serve`'s factory under a real uvicorn on a free loopback port, over the session index."""
    port = support.free_port()
    child = child_env(
        POLICYQA_DATA_DIR=str(settings.data_dir),
        POLICYQA_CORPUS_DIR=str(settings.corpus_dir),
        POLICYQA_RATE_LIMIT_PER_MINUTE="100000",
    )
    child.pop("POLICYQA_API_KEY", None)
    child.update(env)
    log_path = settings.data_dir / f"uvicorn-{port}.log"
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen(
            support.uvicorn_command(port),
            cwd=ROOT,
            env=child,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            if proc.poll() is not None:
                pytest.fail(f"uvicorn exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"server not ready after 300s:\n{log_path.read_text()[-3000:]}")
            time.sleep(1)
        yield base
    finally:
        support.stop(proc)


@pytest.fixture(scope="session")
def live_server(settings: Settings, services) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A real server with no write key: uploads are off, as on a default install."""
    with _served(settings) as base:
        yield base


@pytest.fixture(scope="module")
def keyed_server(settings: Settings, services) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A real server with the tests' write key, for the library's uploads."""
    with _served(settings, POLICYQA_API_KEY=settings.api_key.get_secret_value()) as base:
        yield base
