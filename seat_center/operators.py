"""Center operators (people or a provincial system) who dispatch through the HTTP API. Each has
a name, which every change they make carries, and a token shown once and stored hashed. Site
tokens are never operator tokens."""

from __future__ import annotations

import hmac
import re
import secrets

from sqlalchemy import Column, String, Table, insert, select
from sqlalchemy.engine import Connection, Engine

from seat_center import storage

operators = Table("operators", storage.metadata,
                  Column("name", String, primary_key=True),
                  Column("token_hash", String, nullable=False, unique=True),
                  Column("created_at", String, nullable=False))
NAME = re.compile(r"[\w.@:-]{1,40}")  # letters (Chinese too), digits, _ . @ : -


class OperatorError(ValueError):
    """A refused operator command; the message is safe to print."""


def name_problem(name: str) -> str | None:
    if not NAME.fullmatch(name):
        return "an operator name is 1-40 letters, digits or _ . @ : - (no spaces)"
    return None


def add_operator(engine: Engine, name: str) -> str:
    """Create an operator; returns the token, shown once."""
    problem = name_problem(name)
    if problem:
        raise OperatorError(problem)
    token = "op_" + secrets.token_urlsafe(32)
    with engine.begin() as connection:
        if connection.execute(select(operators.c.name).where(operators.c.name == name)).first():
            raise OperatorError(f"operator {name} exists")
        connection.execute(insert(operators).values(name=name, token_hash=storage.hash_token(token),
                                                    created_at=storage.now()))
    return token


def operator_for_token(connection: Connection, token: str) -> str | None:
    """The operator's name for a valid operator token, else None."""
    if not token:
        return None
    hashed = storage.hash_token(token)
    row = connection.execute(select(operators.c.name, operators.c.token_hash)
                             .where(operators.c.token_hash == hashed)).first()
    return row[0] if row and hmac.compare_digest(row[1], hashed) else None
