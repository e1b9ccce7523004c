"""The center's HTTP API (FastAPI). Sites name themselves (X-Site) and carry their token
(Authorization: Bearer ...); a site can only write and restore its own tickets. Operators
dispatch with their own tokens. Bodies are capped, streamed and parsed strictly (body.py);
failed authentication is rate-limited (auth_limit.py); every sync request is logged
(access_log.py)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi import Depends, FastAPI, Header, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool

from seat_center import health, operators, sites, storage
from seat_center.answers import encoded
from seat_center.auth_limit import AuthLimiter, Limits
from seat_center.body import BodyError, decoded_json, read_capped
from seat_center.middleware import AccessLogMiddleware, entry_of

MAX_OPS = 100
MAX_BYTES = 64 * 1024
MAX_DECOMPRESSED = 4 * 1024 * 1024
MAX_CURSOR = 2**63 - 1  # change-log seq: SQLite INTEGER / PostgreSQL BIGINT
NUMBER = r"^[0-9A-Za-z-]{1,40}$"
ENTITY_ID = r"^[0-9A-Za-z_.:-]{0,64}$"


NO_NUL = r"^[^\x00]+$"  # PostgreSQL text cannot hold NUL: refused at the door, never a 500


class Op(BaseModel):
    op_id: str = Field(min_length=1, max_length=64, pattern=NO_NUL)
    entity: str = Field(pattern=r"^(ticket|referral|call|drill_result|qa_result)$")
    entity_id: str = Field(min_length=1, max_length=64, pattern=NO_NUL)
    op: str = Field(pattern=r"^(create|update)$")
    base_version: int = Field(ge=0, le=storage.MAX_VERSION)
    payload: dict[str, Any]


class Batch(BaseModel):
    ops: list[Op] = Field(max_length=MAX_OPS)


class FieldConflict(BaseModel):
    field: str
    site_value: Any = None
    center_value: Any = None


class OpResult(BaseModel):
    op_id: str
    result: str = Field(description="applied | duplicate | rejected | conflict")
    reason: str | None = None
    conflicts: list[FieldConflict] | None = Field(None, description="only for conflict")


class PushAnswer(BaseModel):
    results: list[OpResult]


class Change(BaseModel):
    seq: int
    entity: str
    entity_id: str
    payload: dict[str, Any]
    operator: str | None = None


class PullAnswer(BaseModel):
    changes: list[Change]
    cursor: int


class RestoredTicket(BaseModel):
    id: str
    number: str | None
    version: int
    data: dict[str, Any]


class RestoreAnswer(BaseModel):
    tickets: list[RestoredTicket]
    next: str | None = Field(description="pass as `after` for the next page; null when done")
    cursor: int = Field(description="pull cursor to continue from after the restore")


class Dispatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fields: dict[str, Any] = Field(alias="set", min_length=1, max_length=50)


class DispatchAnswer(BaseModel):
    number: str
    seq: int


class Refusal(BaseModel):
    detail: str
    errors: dict[str, str] | None = None


def _op_result(answer: dict[str, Any]) -> dict[str, Any]:
    result = {"op_id": answer["op_id"], "result": answer["result"],
              "reason": answer.get("reason")}
    if answer.get("conflicts") is not None:
        result["conflicts"] = answer["conflicts"]
    return result


def create_app(engine: Engine, *, dedupe: bool = True, max_bytes: int = MAX_BYTES,
               limits: Limits | None = None, trust_proxy: bool = False) -> FastAPI:
    """`dedupe=False` exists only for the tests' negative control; `max_bytes` is the largest
    body accepted on the wire; `trust_proxy` takes the client address from X-Forwarded-For."""
    storage.metadata.create_all(engine)  # this package's tables (sites.py, operators.py, ...)
    app = FastAPI(title="seat-center", version="0.2.0",
                  description="Sync API of the 12345/8890 hotline center for sub-center consoles.")
    app.add_middleware(AccessLogMiddleware, engine=engine, trust_proxy=trust_proxy)
    limiter = AuthLimiter(limits)

    def refuse_if_limited(request: Request, key: str) -> None:
        wait = limiter.retry_after(entry_of(request).client, key)
        if wait is not None:
            raise HTTPException(429, f"too many failed authentications; retry in {wait} s",
                                headers={"Retry-After": str(wait)})

    def site(request: Request, authorization: str = Header(default=""),
             x_site: str = Header(default="")) -> str:
        entry = entry_of(request)
        entry.who = x_site if sites.is_valid_code(x_site) else "-"
        refuse_if_limited(request, entry.who)
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token or not x_site:
            raise HTTPException(401, "missing credentials: send 'Authorization: Bearer <token>' "
                                     "and 'X-Site: <site code>'")
        with engine.connect() as connection:
            good = sites.authenticate(connection, x_site, token)
        if not good:
            limiter.failed(entry.client, entry.who if entry.who != "-" else "")
            raise HTTPException(403, "unknown site or wrong token")
        limiter.succeeded(entry.client, x_site)
        return x_site

    def operator(request: Request, authorization: str = Header(default="")) -> str:
        entry = entry_of(request)
        refuse_if_limited(request, "operator")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise HTTPException(401, "missing credentials: send 'Authorization: Bearer "
                                     "<operator token>'")
        with engine.connect() as connection:
            name = operators.operator_for_token(connection, token)
        if name is None:
            limiter.failed(entry.client, "operator")
            raise HTTPException(403, "not an operator token")
        limiter.succeeded(entry.client, "operator")
        entry.who = name
        return name

    @app.get("/healthz", responses={503: {"description": "the database does not answer"}})
    async def healthz() -> JSONResponse:
        reason = await health.database_problem(engine)
        if reason:
            return JSONResponse({"ok": False, "reason": reason}, status_code=503)
        return JSONResponse({"ok": True})

    batch_schema = {"type": "object", "required": ["ops"], "properties": {
        "ops": {"type": "array", "maxItems": MAX_OPS, "items": Op.model_json_schema()}}}

    def _push(code: str, data: Any, request: Request) -> dict[str, Any]:
        batch = Batch.model_validate(data)
        entry_of(request).count = len(batch.ops)
        with engine.begin() as connection:  # the whole batch, or nothing
            answers = storage.apply_batch(connection, code, [op.model_dump() for op in batch.ops],
                                          dedupe=dedupe)
        entry_of(request).results = dict(Counter(answer["result"] for answer in answers))
        return {"results": [_op_result(answer) for answer in answers]}

    @app.post("/v1/push", response_model=PushAnswer, openapi_extra={"requestBody": {
        "required": True, "description": "JSON batch, optionally zstd-compressed "
        "(Content-Encoding: zstd); at most 100 ops, 64 KB on the wire and 4 MB decompressed.",
        "content": {"application/json": {"schema": batch_schema}}}},
        responses={413: {"model": Refusal}, 429: {"model": Refusal}})
    async def push(request: Request, code: str = Depends(site)) -> Any:
        try:
            raw = await read_capped(request, max_bytes)
            data = await decoded_json(request, raw, MAX_DECOMPRESSED, "batch")
            answer = await run_in_threadpool(_push, code, data, request)
        except BodyError as error:
            raise HTTPException(error.status, error.reason) from None
        except ValidationError as exc:
            raise HTTPException(400, f"malformed batch: {str(exc)[:300]}") from None
        return encoded(request, answer)

    @app.get("/v1/pull", response_model=PullAnswer)
    def pull(request: Request, after: int = Query(0, ge=0, le=MAX_CURSOR),
             limit: int = Query(500, ge=1, le=1000), code: str = Depends(site)) -> Any:
        with engine.connect() as connection:
            found = storage.changes_after(connection, code, after, limit)
        entry_of(request).count = len(found)
        return encoded(request, {"changes": found,
                                 "cursor": found[-1]["seq"] if found else after})

    @app.get("/v1/restore", response_model=RestoreAnswer)
    def restore(request: Request,
                after: str = Query("", pattern=ENTITY_ID, description="last id of the page before"),
                limit: int = Query(200, ge=1, le=500), code: str = Depends(site)) -> Any:
        with engine.connect() as connection:  # the cursor first: a change after it is pulled again
            cursor = storage.current_cursor(connection, code)
            page = storage.restore_page(connection, code, after, limit)
        entry_of(request).count = len(page)
        return encoded(request, {"tickets": page, "cursor": cursor,
                                 "next": page[-1]["id"] if len(page) == limit else None})

    def _dispatch(name: str, number: str, data: Any, request: Request) -> Any:
        change = Dispatch.model_validate(data)
        entry_of(request).count = len(change.fields)
        try:
            seq = storage.center_update(engine, number, change.fields, operator=name)
        except KeyError:
            raise HTTPException(404, f"no ticket {number}") from None
        except storage.ChangeRefused as refused:
            return JSONResponse({"detail": "change refused by the ticket contract",
                                 "errors": refused.errors}, status_code=422)
        return {"number": number, "seq": seq}

    @app.post("/v1/dispatch/{number}", response_model=DispatchAnswer, openapi_extra={
        "requestBody": {"required": True, "description": "center-owned fields to change",
                        "content": {"application/json": {"schema": {
                            "type": "object", "required": ["set"], "additionalProperties": False,
                            "properties": {"set": {"type": "object", "minProperties": 1}}}}}}},
        responses={404: {"model": Refusal}, 422: {"model": Refusal}, 429: {"model": Refusal}})
    async def dispatch(request: Request, number: str = Path(pattern=NUMBER),
                       name: str = Depends(operator)) -> Any:
        """A center-side change of a ticket, by an operator (not a site token)."""
        try:
            raw = await read_capped(request, max_bytes)
            data = await decoded_json(request, raw, MAX_DECOMPRESSED, "body")
            return await run_in_threadpool(_dispatch, name, number, data, request)
        except BodyError as error:
            raise HTTPException(error.status, error.reason) from None
        except ValidationError as exc:
            raise HTTPException(400, f"malformed body: {str(exc)[:300]}") from None

    return app
