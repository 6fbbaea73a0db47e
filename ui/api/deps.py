"""FastAPI dependencies: app state, readiness, bearer keys, rate limit, generation slots."""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

import anyio
from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from rag.container import Services
from rag.core.settings import Settings
from ui.admission import Busy, RateLimited, Slot, client_key
from ui.state import AppState
from ui.store_health import RETRY_AFTER_S, unavailable_detail

log = logging.getLogger(__name__)

WRITE_DISABLED = "write endpoints are disabled: set POLICYQA_API_KEY"
LOADING_RETRY_AFTER_S = 5
BUSY_RETRY_AFTER_S = 2
STORE_CHECK_TIMEOUT_S = 3.0

# auto_error=False: a missing header is answered by our own 401 with a clear message.
bearer = HTTPBearer(auto_error=False, description="POLICYQA_API_KEY")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


# The dependencies below do no I/O, so they are `async def`: FastAPI runs a plain `def` dependency in the
# threadpool, and three such hops a question cost more than their work (issue 16's load profile).
async def get_state(request: Request) -> AppState:
    return request.app.state.policyqa


State = Annotated[AppState, Depends(get_state)]


async def ready_services(state: State) -> Services:
    """The loaded services, or 503 while they are loading or while the Chroma server is unreachable.

    The store check happens before any work, so that an outage is a clean 503 even on the streaming
    routes, whose status line is sent before the chain first touches the store.
    """
    if not state.ready.is_set():
        detail = state.load_error or "the index and models are still loading; retry shortly"
        raise HTTPException(503, detail=detail, headers={"Retry-After": str(LOADING_RETRY_AFTER_S)})
    if state.settings.chroma_host:
        try:
            with anyio.fail_after(STORE_CHECK_TIMEOUT_S):
                problem = await run_in_threadpool(state.store.problem, state.services.index)
        except TimeoutError:
            state.store.mark_down()
            problem = unavailable_detail(state.settings)
        if problem:
            raise HTTPException(503, detail=problem, headers={"Retry-After": str(RETRY_AFTER_S)})
    return state.services


ReadyServices = Annotated[Services, Depends(ready_services)]


EMPTY_INDEX = "the index is empty: upload documents or run POST /api/ingest (or `policyqa ingest`)"


async def require_documents(services: Services) -> None:
    """503 instead of a failure deep in retrieval when nothing has been indexed yet."""
    if "searcher" in services.__dict__:  # built, so the index had chunks; no round trip per question
        return
    if not await run_in_threadpool(services.index.count):
        raise HTTPException(503, detail=EMPTY_INDEX, headers={"Retry-After": str(LOADING_RETRY_AFTER_S)})


def _key_matches(settings: Settings, credentials: HTTPAuthorizationCredentials | None) -> bool:
    return key_matches(settings, credentials.credentials if credentials is not None else None)


def key_matches(settings: Settings, presented: str | None) -> bool:
    """The write key, as the API's bearer token or typed into the Library tab; never true without one."""
    if settings.api_key is None or not presented:
        return False
    expected = settings.api_key.get_secret_value().encode()
    # Constant-time comparison: the key must not leak through response timing.
    return hmac.compare_digest(presented.encode(), expected)


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(401, detail=message, headers={"WWW-Authenticate": "Bearer"})


async def require_write_key(state: State, credentials: Credentials) -> None:
    settings = state.settings
    if settings.api_key is None or not settings.api_key.get_secret_value():
        raise HTTPException(403, detail=WRITE_DISABLED)
    if credentials is None:
        raise _unauthorized("missing bearer token: send 'Authorization: Bearer <POLICYQA_API_KEY>'")
    if not _key_matches(settings, credentials):
        raise _unauthorized("invalid API key")


async def require_read_key(state: State, credentials: Credentials) -> None:
    """Read endpoints are open unless POLICYQA_READ_REQUIRES_KEY is set."""
    if not state.settings.read_requires_key:
        return
    if state.settings.api_key is None:
        raise HTTPException(403, detail="POLICYQA_READ_REQUIRES_KEY is set but POLICYQA_API_KEY is not")
    if not _key_matches(state.settings, credentials):
        raise _unauthorized("this server requires 'Authorization: Bearer <POLICYQA_API_KEY>' for reads")


async def rate_limit(request: Request, state: State) -> None:
    try:
        state.admission.check_rate(client_key(request))
    except RateLimited as exc:
        raise HTTPException(429, detail=str(exc), headers={"Retry-After": str(exc.wait)}) from None


async def acquire_slot(state: AppState, mode: str | None) -> Slot:
    """A slot to answer in: 503 with Retry-After when an LLM mode is at its cap, or when an extractive
    answer could not start within the queue's deadline. The queue blocks, so it waits off the event loop,
    unless a slot is free and nobody waits: then it is taken here, without a thread hop."""
    generative = state.settings.is_generative(mode)
    try:
        if generative:
            return state.admission.acquire(True)
        slot = state.admission.acquire_free()
        return slot if slot is not None else await run_in_threadpool(state.admission.acquire, False)
    except Busy as exc:
        raise HTTPException(503, detail=str(exc), headers={"Retry-After": str(BUSY_RETRY_AFTER_S)}) from None
