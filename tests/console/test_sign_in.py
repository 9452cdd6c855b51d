"""Console sessions: who the credentials are, a cookie only its principal's secrets can make, and
the ways a session ends (expiry, a changed secret, a principal removed)."""

from __future__ import annotations

from typing import Any

import pytest

from stepwell.auth.identities import Identities, parse_identities
from stepwell.console.sign_in import SESSION_SECONDS, Sessions, is_open, safe_next, sign_in_href

ACCOUNT = "123456789012"


def principals(**secrets: str) -> list[dict[str, Any]]:
    return [
        {
            "name": "reader",
            "accessKeyId": "AKIDREADER",
            "secretAccessKey": secrets.get("reader", "reader-secret"),
            "consolePassword": "correct horse",
            "policy": {"Statement": {"Effect": "Allow", "Action": "states:Describe*", "Resource": "*"}},
        },
        {
            "name": "admin",
            "accessKeyId": "AKIDADMIN",
            "secretAccessKey": secrets.get("admin", "admin-secret"),
            "policy": {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}},
        },
    ]


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def held() -> dict[str, Identities]:
    return {"current": parse_identities({"principals": principals()}, ACCOUNT)}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sessions(held: dict[str, Identities], clock: Clock) -> Sessions:
    return Sessions(lambda: held["current"], clock)


def test_an_access_key_and_its_secret_or_a_name_and_its_console_password(sessions: Sessions) -> None:
    by_key = sessions.sign_in("AKIDREADER", "reader-secret")
    by_password = sessions.sign_in("reader", "correct horse")
    assert by_key is not None and by_password is not None
    assert by_key.name == by_password.name == "reader"


@pytest.mark.parametrize(
    ("identifier", "secret"),
    [
        ("AKIDREADER", "wrong"),
        ("reader", "reader-secret"),  # the secret key is not a console password
        ("admin", "admin-secret"),  # admin has no console password: its name signs nothing in
        ("AKIDNOBODY", "reader-secret"),
        ("", ""),
    ],
)
def test_anything_else_signs_nobody_in(sessions: Sessions, identifier: str, secret: str) -> None:
    assert sessions.sign_in(identifier, secret) is None


def test_a_cookie_names_its_principal_until_it_expires(sessions: Sessions, clock: Clock) -> None:
    reader = sessions.sign_in("reader", "correct horse")
    assert reader is not None
    cookie = sessions.cookie(reader)
    assert sessions.principal(cookie) == reader
    clock.now += SESSION_SECONDS - 1
    assert sessions.principal(cookie) == reader
    clock.now += 2
    assert sessions.principal(cookie) is None


def test_a_cookie_cannot_be_made_or_altered_without_the_secret(sessions: Sessions) -> None:
    reader = sessions.sign_in("AKIDREADER", "reader-secret")
    assert reader is not None
    name, expires, mac = sessions.cookie(reader).split(".")
    admin_name = "YWRtaW4"  # "admin", base64url: the reader's MAC does not make it the admin's
    assert sessions.principal(f"{admin_name}.{expires}.{mac}") is None
    assert sessions.principal(f"{name}.{int(expires) + 3600}.{mac}") is None  # a longer life
    assert sessions.principal(f"{name}.{expires}.{'0' * 64}") is None
    for garbage in ("", "a.b", "a.b.c.d", "!!!.1.x", f"{name}.soon.{mac}", None):
        assert sessions.principal(garbage) is None


def test_a_changed_secret_or_a_removed_principal_ends_its_sessions(
    sessions: Sessions, held: dict[str, Identities]
) -> None:
    reader = sessions.sign_in("AKIDREADER", "reader-secret")
    admin = sessions.sign_in("AKIDADMIN", "admin-secret")
    assert reader is not None and admin is not None
    reader_cookie, admin_cookie = sessions.cookie(reader), sessions.cookie(admin)
    held["current"] = parse_identities({"principals": principals(reader="rotated")}, ACCOUNT)  # SIGHUP
    assert sessions.principal(reader_cookie) is None
    assert sessions.principal(admin_cookie) is not None  # the others' sessions go on
    held["current"] = parse_identities({"principals": principals()[:1]}, ACCOUNT)
    assert sessions.principal(admin_cookie) is None


@pytest.mark.parametrize(
    ("asked", "safe"),
    [
        ("/executions/m/e?x=1", "/executions/m/e?x=1"),
        (None, "/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("executions", "/"),
        ("/\t/evil.example", "/"),  # a browser drops the tab: //evil.example
        ("/\n/evil.example", "/"),
        ("/ /evil.example", "/"),
        ("/état", "/"),
        ("/ok?x=//elsewhere", "/ok?x=//elsewhere"),  # a query is this page's own business
    ],
)
def test_after_signing_in_only_a_page_of_this_console(asked: str | None, safe: str) -> None:
    assert safe_next(asked) == safe


def test_the_pages_anyone_may_fetch() -> None:
    assert is_open("/sign-in") and is_open("/static/console.css") and is_open("/favicon.ico")
    assert not is_open("/") and not is_open("/state-machines/x") and not is_open("/sign-in-elsewhere")
    assert sign_in_href("/", "") == "/sign-in"
    assert sign_in_href("/activities", "a=1") == "/sign-in?next=%2Factivities%3Fa%3D1"
