"""The center's HTTP API (FastAPI). Every request names its site (X-Site) and carries its token
(Authorization: Bearer ...); a site can only write its own tickets."""

from __future__ import annotations

import json
import logging
from typing import Any

import zstandard
from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.engine import Engine

from seat_center import storage

log = logging.getLogger("seat_center")
MAX_OPS = 100
MAX_BYTES = 64 * 1024
MAX_DECOMPRESSED = 4 * 1024 * 1024
MAX_CURSOR = 2**63 - 1  # change-log seq: SQLite INTEGER / PostgreSQL BIGINT


class Op(BaseModel):
    op_id: str = Field(min_length=1, max_length=64)
    entity: str = Field(pattern=r"^(ticket|referral|call)$")
    entity_id: str = Field(min_length=1, max_length=64)
    op: str = Field(pattern=r"^(create|update)$")
    base_version: int = Field(ge=0, le=storage.MAX_VERSION)
    payload: dict[str, Any]


class Batch(BaseModel):
    ops: list[Op] = Field(max_length=MAX_OPS)


class OpResult(BaseModel):
    op_id: str
    result: str
    reason: str | None = None


class PushAnswer(BaseModel):
    results: list[OpResult]


class Change(BaseModel):
    seq: int
    entity: str
    entity_id: str
    payload: dict[str, Any]


class PullAnswer(BaseModel):
    changes: list[Change]
    cursor: int


def create_app(engine: Engine, *, dedupe: bool = True, max_bytes: int = MAX_BYTES) -> FastAPI:
    """`dedupe=False` exists only for the tests' negative control; `max_bytes` is the largest
    batch accepted on the wire."""
    app = FastAPI(title="seat-center", version="0.1.0",
                  description="Sync API of the 12345/8890 hotline center for sub-center consoles.")

    def site(authorization: str = Header(default=""), x_site: str = Header(default="")) -> str:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token or not x_site:
            raise HTTPException(401, "missing credentials: send 'Authorization: Bearer <token>' "
                                     "and 'X-Site: <site code>'")
        with engine.connect() as connection:
            if not storage.site_for_token(connection, x_site, token):
                log.warning("rejected credentials for site %s", x_site)  # never the token
                raise HTTPException(403, "unknown site or wrong token")
        return x_site

    @app.get("/healthz")
    def healthz() -> dict[str, bool]:
        return {"ok": True}

    batch_schema = {"type": "object", "required": ["ops"], "properties": {
        "ops": {"type": "array", "maxItems": MAX_OPS, "items": Op.model_json_schema()}}}

    @app.post("/v1/push", response_model=PushAnswer, openapi_extra={"requestBody": {
        "required": True, "description": "JSON batch, optionally zstd-compressed "
        "(Content-Encoding: zstd); at most 100 ops and 64 KB on the wire.",
        "content": {"application/json": {"schema": batch_schema}}}})
    async def push(request: Request, code: str = Depends(site)) -> PushAnswer:
        body = await request.body()
        if len(body) > max_bytes:
            raise HTTPException(413, f"batch too big: {len(body)} bytes > {max_bytes}; split it")
        if request.headers.get("content-encoding") == "zstd":
            try:
                body = zstandard.ZstdDecompressor().decompress(body, max_output_size=MAX_DECOMPRESSED)
            except zstandard.ZstdError as exc:
                raise HTTPException(400, f"body is not valid zstd: {exc}") from None
        try:
            batch = Batch.model_validate(json.loads(body))
        except (ValueError, ValidationError) as exc:
            raise HTTPException(400, f"malformed batch: {str(exc)[:300]}") from None
        except RecursionError:
            raise HTTPException(400, "malformed batch: JSON nested too deeply") from None
        with engine.begin() as connection:  # the whole batch, or nothing
            answers = storage.apply_batch(connection, code, [op.model_dump() for op in batch.ops],
                                          dedupe=dedupe)
        results = [OpResult(**answer) for answer in answers]
        log.info("site %s pushed %d ops", code, len(results))
        return PushAnswer(results=results)

    @app.get("/v1/pull", response_model=PullAnswer)
    def pull(after: int = Query(0, ge=0, le=MAX_CURSOR), limit: int = Query(500, ge=1, le=1000),
             code: str = Depends(site)) -> PullAnswer:
        with engine.connect() as connection:
            found = storage.changes_after(connection, code, after, limit)
        return PullAnswer(changes=[Change(**c) for c in found],
                          cursor=found[-1]["seq"] if found else after)

    return app
