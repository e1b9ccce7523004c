"""Sites and their tokens: a site code is a 6-digit administrative division code (GB/T 2260);
a token is shown once and stored as a SHA-256 hash; rotating replaces it at once; revoking
shuts the site out until `add-site` admits it again with a new token."""

from __future__ import annotations

import hmac
import re
import secrets

from sqlalchemy import Column, String, Table, delete, insert, select, update
from sqlalchemy.engine import Connection, Engine

from seat_center import storage

# First two digits of GB/T 2260: the provinces, autonomous regions, municipalities, SARs, Taiwan.
PROVINCES = frozenset({"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34",
                       "35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52",
                       "53", "54", "61", "62", "63", "64", "65", "71", "81", "82"})
REVOKED_HASH = "revoked"  # never equal to a SHA-256 hex digest: no token matches it

revocations = Table("site_revocations", storage.metadata,
                    Column("code", String, primary_key=True),
                    Column("revoked_at", String, nullable=False))


class SiteError(ValueError):
    """A refused site command; the message is safe to print (no token)."""


def code_problem(code: str) -> str | None:
    """None for a valid division code, else why it is not one."""
    if not re.fullmatch(r"\d{6}", code):
        return "a site code is a 6-digit division code such as 210102"
    if code[:2] not in PROVINCES:
        return f"{code[:2]} is not a province code (GB/T 2260): a site code looks like 210102"
    return None  # 210000 (a province-level center) is a site too


def is_valid_code(code: str) -> bool:
    return code_problem(code) is None


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, storage.hash_token(token)


def add_site(engine: Engine, code: str) -> str:
    """Create a site, or admit a revoked one again; returns its token (shown once). An active
    site keeps its token: use rotate_token."""
    problem = code_problem(code)
    if problem:
        raise SiteError(problem)
    token, hashed = _new_token()
    with engine.begin() as connection:
        exists = connection.execute(select(storage.sites.c.code)
                                    .where(storage.sites.c.code == code)).first()
        if exists and not _revoked(connection, code):
            raise SiteError(f"site {code} exists; use rotate-token {code} for a new token")
        if exists:
            connection.execute(update(storage.sites).where(storage.sites.c.code == code)
                               .values(token_hash=hashed))
            connection.execute(delete(revocations).where(revocations.c.code == code))
        else:
            connection.execute(insert(storage.sites).values(code=code, token_hash=hashed,
                                                            created_at=storage.now()))
    return token


def rotate_token(engine: Engine, code: str) -> str:
    """A new token for an active site; the old one stops working with this commit."""
    token, hashed = _new_token()
    with engine.begin() as connection:
        _require_active(connection, code)
        connection.execute(update(storage.sites).where(storage.sites.c.code == code)
                           .values(token_hash=hashed))
    return token


def revoke_site(engine: Engine, code: str) -> None:
    """Every request of the site is refused (403) from this commit on."""
    with engine.begin() as connection:
        _require_active(connection, code)
        connection.execute(update(storage.sites).where(storage.sites.c.code == code)
                           .values(token_hash=REVOKED_HASH))
        connection.execute(insert(revocations).values(code=code, revoked_at=storage.now()))


def authenticate(connection: Connection, code: str, token: str) -> bool:
    """True only for an active site presenting its current token."""
    if not is_valid_code(code) or not token:
        return False
    row = connection.execute(select(storage.sites.c.token_hash)
                             .where(storage.sites.c.code == code)).first()
    return bool(row) and row[0] != REVOKED_HASH and \
        hmac.compare_digest(row[0], storage.hash_token(token))


def _revoked(connection: Connection, code: str) -> bool:
    return connection.execute(select(revocations.c.code)
                              .where(revocations.c.code == code)).first() is not None


def _require_active(connection: Connection, code: str) -> None:
    exists = connection.execute(select(storage.sites.c.code)
                                .where(storage.sites.c.code == code)).first()
    if not exists:
        raise SiteError(f"no site {code}")
    if _revoked(connection, code):
        raise SiteError(f"site {code} is revoked; add-site {code} admits it again")
