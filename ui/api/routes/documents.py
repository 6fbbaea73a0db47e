"""The document store: list, read, passage lookup, and (with the API key) upload and delete."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from starlette.datastructures import UploadFile  # what request.form() yields (fastapi's is a subclass)

from ingest.loaders import LoadError
from rag.store.doc_meta import DocMeta
from rag.store.index import chunk_body
from ui.api.body_limit import MULTIPART_SLACK
from ui.api.deps import ReadyServices, State, require_read_key, require_write_key
from ui.api.errors import READ_ERRORS, WRITE_ERRORS
from ui.api.schemas import (
    ChunkOut,
    DeletedDocument,
    DocumentDetail,
    DocumentSummary,
    IngestedDocument,
    UrlUpload,
    first_error_message,
)
from ui.api.uploads import DocumentExistsError, load_remote, load_upload
from ui.library import IngestRunningError, Library, document_type
from ui.writes import WritesBusyError

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api", tags=["documents"], dependencies=[Depends(require_read_key)])

WRITE_RETRY_AFTER_S = 30
# LoadError reasons that mean "too big" rather than "unreadable".
_TOO_BIG = ("too large", "too many pages")


def _ingest_running(exc: IngestRunningError) -> HTTPException:
    return HTTPException(
        409,
        detail="a re-ingest of the corpus is running; retry when GET /api/ingest says it finished",
        headers={"Retry-After": str(WRITE_RETRY_AFTER_S)},
    )


def _busy(exc: WritesBusyError) -> HTTPException:
    return HTTPException(409, detail=str(exc), headers={"Retry-After": str(WRITE_RETRY_AFTER_S)})


def view_url(doc_id: str, start: int | None = None, end: int | None = None) -> str:
    url = f"/documents/{quote(doc_id, safe='')}"
    if start is not None and end is not None:
        url += f"?start={start}&end={end}#cited"
    return url


def _summary(meta: DocMeta, chunks: int) -> DocumentSummary:
    return DocumentSummary(
        doc_id=meta.doc_id,
        title=meta.title,
        short_title=meta.short_title,
        publisher=meta.publisher,
        date=meta.date,
        url=meta.url,
        license=meta.license,
        chunks=chunks,
    )


@router.get(
    "/documents", response_model=list[DocumentSummary], responses=READ_ERRORS, summary="List documents"
)
async def list_documents(services: ReadyServices) -> list[DocumentSummary]:
    entries = await run_in_threadpool(services.index.catalog)
    return [
        _summary(e.meta, e.chunks).model_copy(
            update={"type": document_type(e.meta.source, e.meta.url), "indexed_at": e.indexed_at}
        )
        for e in entries
    ]


@router.get(
    "/documents/{doc_id}",
    response_model=DocumentDetail,
    responses=READ_ERRORS,
    summary="One document, with its text",
)
async def get_document(doc_id: str, services: ReadyServices) -> DocumentDetail:
    found = await run_in_threadpool(services.index.document, doc_id)
    if found is None:
        raise HTTPException(404, detail=f"no document with id {doc_id!r}")
    meta, text, n = found
    return DocumentDetail(**_summary(meta, n).model_dump(), text=text, view_url=view_url(meta.doc_id))


@router.get(
    "/chunks/{chunk_id}", response_model=ChunkOut, responses=READ_ERRORS, summary="One passage and its span"
)
async def get_chunk(chunk_id: str, services: ReadyServices) -> ChunkOut:
    doc = await run_in_threadpool(services.index.chunk, chunk_id)
    if doc is None:
        raise HTTPException(404, detail=f"no passage with id {chunk_id!r}")
    md = doc.metadata
    start, end = int(md.get("start", 0)), int(md.get("end", 0))
    return ChunkOut(
        chunk_id=str(doc.id),
        doc_id=str(md.get("doc_id", "")),
        title=str(md.get("title", "")),
        section=str(md.get("section", "")),
        text=chunk_body(doc),
        start=start,
        end=end,
        view_url=view_url(str(md.get("doc_id", "")), start, end),
    )


UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "md, txt, html, pdf or docx",
                    }
                },
            }
        },
        "application/json": {"schema": UrlUpload.model_json_schema()},
    },
}


async def _read_upload(request: Request, max_bytes: int) -> tuple[bytes, str]:
    form = await request.form(max_files=1, max_fields=4)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise HTTPException(422, detail="multipart upload needs a 'file' field with the document")
    data = await upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise HTTPException(413, detail=f"file too large (limit {max_bytes} bytes)")
    return data, upload.filename or "upload"


@router.post(
    "/documents",
    status_code=201,
    response_model=IngestedDocument,
    responses=WRITE_ERRORS,
    dependencies=[Depends(require_write_key)],
    openapi_extra={"requestBody": UPLOAD_BODY},
    summary="Add a document (file upload or URL); needs the API key",
)
async def add_document(
    request: Request, state: State, services: ReadyServices, replace: bool = False
) -> IngestedDocument:
    """Multipart with a `file` field, or JSON `{"url": ...}`. The type is sniffed from the content."""
    settings = state.settings
    max_bytes = settings.max_upload_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes + MULTIPART_SLACK:
        raise HTTPException(413, detail=f"file too large (limit {max_bytes} bytes)")
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if ctype == "multipart/form-data":
            data, name = await _read_upload(request, max_bytes)
            loaded = await run_in_threadpool(load_upload, data, name, settings)
        elif ctype == "application/json":
            try:
                body = UrlUpload.model_validate_json(await request.body())
            except ValidationError as exc:
                errors = exc.errors(include_url=False, include_input=False, include_context=False)
                status = 400 if errors and errors[0].get("type") == "json_invalid" else 422
                raise HTTPException(status, detail=first_error_message(errors)) from None
            loaded = await run_in_threadpool(load_remote, body.url, settings)
        else:
            raise HTTPException(
                415, detail="send multipart/form-data with a 'file' field, or JSON {\"url\": ...}"
            )
        result = await run_in_threadpool(Library(state).add, loaded, replace)
    except IngestRunningError as exc:
        raise _ingest_running(exc) from None
    except LoadError as exc:
        status = 413 if any(s in exc.reason for s in _TOO_BIG) else 422
        raise HTTPException(status, detail=exc.reason) from None
    except WritesBusyError as exc:
        raise _busy(exc) from None
    except DocumentExistsError as exc:
        raise HTTPException(
            409, detail=f"document {exc.doc_id!r} exists; pass ?replace=true to replace it"
        ) from None
    return IngestedDocument(
        doc_id=result.doc_id, title=result.title, status=result.status, chunks=result.chunks
    )  # type: ignore[arg-type]


@router.delete(
    "/documents/{doc_id}",
    response_model=DeletedDocument,
    responses=WRITE_ERRORS,
    dependencies=[Depends(require_write_key)],
    summary="Remove a document and its passages; needs the API key",
)
async def delete_document(doc_id: str, state: State, services: ReadyServices) -> DeletedDocument:
    try:
        deleted = await run_in_threadpool(Library(state).remove, doc_id)
    except IngestRunningError as exc:
        raise _ingest_running(exc) from None
    except WritesBusyError as exc:
        raise _busy(exc) from None
    if deleted is None:
        raise HTTPException(404, detail=f"no document with id {doc_id!r}")
    return DeletedDocument(doc_id=doc_id, deleted_chunks=deleted)
