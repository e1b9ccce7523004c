"""/healthz: does the database answer a trivial query within HEALTH_TIMEOUT seconds?"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import literal, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from seat_center import storage

HEALTH_TIMEOUT = 2.0
# Its own threads: a hung database must not take the request thread pool with it.
_checks = ThreadPoolExecutor(max_workers=2, thread_name_prefix="healthz")


def _select_one(engine: Engine) -> None:
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"SET LOCAL statement_timeout = {int(HEALTH_TIMEOUT * 1000)}"))
        # SELECT 1 FROM a real table: reads the database file / catalogue, not only the driver.
        connection.execute(select(literal(1)).select_from(storage.sites).limit(1)).all()
        connection.rollback()


async def database_problem(engine: Engine) -> str | None:
    """None when the database answered, else the reason (never a URL or credentials)."""
    loop = asyncio.get_running_loop()
    try:
        await asyncio.wait_for(loop.run_in_executor(_checks, _select_one, engine), HEALTH_TIMEOUT)
    except TimeoutError:
        return f"database did not answer within {HEALTH_TIMEOUT:g} s"
    except SQLAlchemyError as exc:
        return f"database unavailable ({type(exc).__name__})"
    return None
