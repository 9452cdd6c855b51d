"""The console's guards on a real ASGI app: the security headers, the CSRF cookie and token, and
the refusal of a forged or cross-site POST."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import Awaitable, Callable

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from stepwell.console.security import CSRF_COOKIE, CSRF_FIELD, HEADERS, POLICY, Csrf, CsrfError

KEY = b"k" * 32


def app(csrf: Csrf) -> Starlette:
    async def page(request: Request) -> Response:
        return csrf.protect(request, PlainTextResponse(csrf.token(request)))

    async def post(request: Request) -> Response:
        return JSONResponse(await csrf.check(request))

    async def refused(request: Request, error: Exception) -> Response:
        return PlainTextResponse(str(error), status_code=403)

    return Starlette(
        routes=[Route("/", page, methods=["GET"]), Route("/act", post, methods=["POST"])],
        exception_handlers={CsrfError: refused},
    )


BASE = "http://127.0.0.1:8083"
Scenario = Callable[[httpx.AsyncClient], Awaitable[None]]


def drive(scenario: Scenario, csrf: Csrf | None = None) -> None:
    """Run ``scenario`` against the app in process (httpx's ASGI transport: no socket, no mock)."""

    async def main() -> None:
        transport = httpx.ASGITransport(app=app(csrf or Csrf(KEY)))
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            await scenario(client)

    asyncio.run(main())


def test_the_policy_forbids_inline_code_and_framing() -> None:
    assert "script-src 'self'" in POLICY and "unsafe-inline" not in POLICY
    assert "frame-ancestors 'none'" in POLICY and "default-src 'none'" in POLICY
    assert HEADERS["X-Frame-Options"] == "DENY"


def test_every_page_carries_the_headers_and_a_strict_cookie() -> None:
    async def scenario(client: httpx.AsyncClient) -> None:
        response = await client.get("/")
        for header, value in HEADERS.items():
            assert response.headers[header] == value
        cookie = response.cookies[CSRF_COOKIE]
        assert len(cookie) == 43
        set_cookie = response.headers["set-cookie"].lower()
        assert "httponly" in set_cookie and "samesite=strict" in set_cookie and "path=/" in set_cookie
        # The token is the HMAC of the cookie under the process key.
        assert response.text == hmac.new(KEY, cookie.encode(), hashlib.sha256).hexdigest()

    drive(scenario)


def test_a_browser_keeps_its_cookie() -> None:
    async def scenario(client: httpx.AsyncClient) -> None:
        first = await client.get("/")
        cookie = first.cookies[CSRF_COOKIE]
        again = await client.get("/")
        assert "set-cookie" not in again.headers
        assert again.text == first.text
        assert client.cookies[CSRF_COOKIE] == cookie

    drive(scenario)


def test_a_post_with_the_matching_token_is_accepted() -> None:
    async def scenario(client: httpx.AsyncClient) -> None:
        token = (await client.get("/")).text
        response = await client.post(
            "/act", data={CSRF_FIELD: token, "name": "x"}, headers={"Origin": "http://127.0.0.1:8083"}
        )
        assert response.status_code == 200
        assert response.json() == {CSRF_FIELD: token, "name": "x"}

    drive(scenario)


def test_a_post_without_the_token_is_refused() -> None:
    async def scenario(client: httpx.AsyncClient) -> None:
        await client.get("/")
        response = await client.post("/act", data={"name": "x"})
        assert response.status_code == 403
        assert response.text == "the form's security token is missing or does not match; reload the page"

    drive(scenario)


def test_a_token_for_another_cookie_is_refused() -> None:
    async def scenario(client: httpx.AsyncClient) -> None:
        await client.get("/")
        forged = hmac.new(KEY, b"another cookie value", hashlib.sha256).hexdigest()
        assert (await client.post("/act", data={CSRF_FIELD: forged})).status_code == 403

    drive(scenario)


def test_a_token_signed_by_another_process_is_refused() -> None:
    other_key = b"o" * 32

    async def scenario(client: httpx.AsyncClient) -> None:
        cookie = (await client.get("/")).cookies[CSRF_COOKIE]
        theirs = hmac.new(other_key, cookie.encode(), hashlib.sha256).hexdigest()
        assert (await client.post("/act", data={CSRF_FIELD: theirs})).status_code == 403

    drive(scenario)


def test_a_post_from_another_site_is_refused_before_the_token_is_read() -> None:
    async def scenario(client: httpx.AsyncClient) -> None:
        token = (await client.get("/")).text
        response = await client.post(
            "/act", data={CSRF_FIELD: token}, headers={"Origin": "http://evil.example"}
        )
        assert response.status_code == 403
        assert response.text == "the form was posted from another site"
        # An opaque origin ("null", e.g. a sandboxed frame) still needs the token, which it has not.
        assert (
            await client.post("/act", data={CSRF_FIELD: token}, headers={"Origin": "null"})
        ).status_code == 200

    drive(scenario)


def test_each_process_has_its_own_random_key() -> None:
    assert Csrf().key != Csrf().key
    assert len(Csrf().key) == 32
