"""PostgreSQL for the tests: the server every machine of this kind runs on 127.0.0.1:5432 (trust
auth; ``STEPWELL_TEST_POSTGRES`` names another). Never a mock, and never a silent skip: when the
server cannot be reached, the tests that need it fail and say so.

- ``postgres_database`` (session): the URL of a fresh database ``stepwell_test_<random>``, migrated
  once, dropped at the end of the session (``WITH (FORCE)``: a server left connected cannot keep
  it).
- ``postgres_url`` (each test): that database, emptied (every table but ``schema_migrations``) —
  about 5 ms, where a fresh schema and its migrations take 150 to 200 ms and a fresh database more.
- ``postgres_schema`` (each test): a URL into a fresh schema with no tables at all (``search_path``
  set through the URL's ``options``, so every connection opened with it uses the schema), dropped
  after the test: for tests of the migrations themselves.

Registered for the whole suite by ``pytest_plugins = ["tests.postgres"]`` in tests/conftest.py.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import psycopg
import pytest

SERVER = os.environ.get("STEPWELL_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")


def admin(url: str = f"{SERVER}/postgres") -> psycopg.Connection[Any]:
    """An autocommit connection; the test fails, saying why, when the server is not there."""
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as failure:
        pytest.fail(
            f"PostgreSQL is not reachable at {SERVER}: {failure}\nThese tests need it running "
            "(STEPWELL_TEST_POSTGRES names another server).",
            pytrace=False,
        )


def in_schema(url: str, schema: str) -> str:
    """The URL, with every connection's ``search_path`` set to the schema."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


def empty(url: str) -> None:
    """Delete every row of the database's tables (its schema stays, migrated)."""
    with admin(url) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                " AND tablename != 'schema_migrations'"
            )
        ]
        with db.transaction():
            for table in tables:
                db.execute(f'DELETE FROM "{table}"')


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[Callable[[], str]]:
    """Makes fresh databases, migrated (a server of its own: the conformance suite's); every one
    is dropped at the end of the session."""
    from stepwell.runtime.store.postgres import PostgresStore

    made: list[str] = []

    def make() -> str:
        name = f"stepwell_test_{secrets.token_hex(4)}"
        with admin() as db:
            db.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        url = f"{SERVER}/{name}"
        store = PostgresStore(url)
        store.open()
        store.close()
        return url

    try:
        yield make
    finally:
        with admin() as db:
            for name in made:
                db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_database(postgres_databases: Callable[[], str]) -> str:
    """The URL of this session's fresh database, migrated."""
    return postgres_databases()


@pytest.fixture
def postgres_url(postgres_database: str) -> str:
    """The session's database, migrated and empty."""
    empty(postgres_database)
    return postgres_database


@pytest.fixture
def postgres_schema(postgres_database: str) -> Iterator[str]:
    """A URL into a fresh schema of the session's database, with no tables yet."""
    schema = f"test_{secrets.token_hex(6)}"
    with admin(postgres_database) as db:
        db.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield in_schema(postgres_database, schema)
    finally:
        with admin(postgres_database) as db:
            db.execute(f'DROP SCHEMA "{schema}" CASCADE')
