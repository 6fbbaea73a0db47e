"""Fixtures for the reliability tests: app variants over the session's services, and an API key header.

The heavy objects (embedding model, the ingested corpus) come from the session fixtures in
tests/conftest.py; each test changes only the settings or the part it attacks.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rag.container import Services
from rag.core.settings import Settings

AppFactory = Callable[..., contextlib.AbstractContextManager[TestClient]]


@pytest.fixture(scope="session")
def auth(settings: Settings) -> dict[str, str]:
    assert settings.api_key is not None
    return {"Authorization": f"Bearer {settings.api_key.get_secret_value()}"}


@pytest.fixture(scope="session")
def app_client(settings: Settings, services: Services) -> AppFactory:
    """`with app_client(max_top_k=3) as c:` — an app over the session's services with settings changed.

    Pass `services=` to use other services (e.g. another answer backend) with the same settings changes.
    """
    from ui.app import create_app

    @contextlib.contextmanager
    def make(
        *, svc: Services | None = None, raise_server_exceptions: bool = True, **changes: Any
    ) -> Iterator[TestClient]:
        app_settings = (svc.settings if svc is not None else settings).model_copy(update=changes)
        app = create_app(app_settings, svc or services)
        with TestClient(app, raise_server_exceptions=raise_server_exceptions) as client:
            assert app.state.policyqa.wait_ready(120), app.state.policyqa.load_error
            yield client

    return make
