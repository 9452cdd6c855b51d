"""Signature Version 4, checked on the server side: who signed a request, and did they.

The client's signature is recomputed from the request as it arrived (IAM User Guide, "Create a
signed AWS API request"; reference §1.2): the canonical request (method, URI, query string, the
headers the client says it signed, the payload's SHA-256), the string to sign over it, and the HMAC
chain of the secret key. Both forms are read: the ``Authorization`` header and the query string
(``X-Amz-Algorithm``, ``X-Amz-Credential``, ...).

Why not botocore's SigV4Auth (a client's signer): it decides which headers to sign from those
present (the server must use the client's ``SignedHeaders``), signs a query string it is handed
(the server must leave out ``X-Amz-Signature``) and derives the signing key for every request.
botocore is this module's oracle in the tests instead: what it signs, this verifies.

Checks, in the order Coral makes them (DynamoDB's recorded answers, reference §1.4); the first to
fail is the answer:

1. both the ``X-Amz-Algorithm`` parameter and an ``Authorization`` header: InvalidSignature;
2. no ``Authorization`` (nor the query form), or one not starting ``AWS4-``: MissingAuthenticationToken;
3. a missing Credential, Signature, SignedHeaders or date: IncompleteSignature;
4. a date not in ISO 8601 basic format: IncompleteSignature;
5. a date more than 15 minutes from the server's clock, either side: InvalidSignature
   ("Signature expired: ...", "Signature not yet current: ...");
6. ``host``, or an ``x-amz-*`` header that was sent, not signed: InvalidSignature (SigV4 makes them
   mandatory: an unsigned ``X-Amz-Target`` would let a captured request be replayed as another
   operation);
7. an algorithm other than AWS4-HMAC-SHA256: IncompleteSignature;
8. a credential not of 5 parts: IncompleteSignature;
9. a scope of another region, service, terminator or date: InvalidSignature;
10. an unknown access key id: UnrecognizedClient;
11. a signature that does not match: InvalidSignature (with the canonical request and the
    string to sign the server computed, as AWS sends them; a secret is in neither);
12. ``X-Amz-Content-SHA256`` (signed) that is not the body's SHA-256: InvalidSignature. Payloads
    are always signed here (the server speaks plain HTTP: ``UNSIGNED-PAYLOAD`` is refused);
13. an ``X-Amz-Security-Token``: UnrecognizedClient. The server issues no temporary credentials,
    so no token can be valid.

The query form obeys the same 15-minute window; its ``X-Amz-Expires`` (signed) can shorten it,
never lengthen it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from time import gmtime, strftime
from urllib.parse import quote, unquote

from stepwell.auth.errors import (
    INCOMPLETE_SIGNATURE,
    INVALID_SIGNATURE,
    MISSING_TOKEN,
    UNRECOGNIZED_CLIENT,
    AuthError,
)

ALGORITHM = "AWS4-HMAC-SHA256"
TERMINATOR = "aws4_request"
SERVICE = "states"  # the model's signingName
WINDOW_SECONDS = 15 * 60
_ISO_BASIC = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z")
_ISO_FORMAT = "%Y%m%dT%H%M%SZ"
_MAX_CACHED_KEYS = 1024

# Query-string form parameters (the IAM User Guide's table), X-Amz-Signature left out when signing.
Q_ALGORITHM, Q_CREDENTIAL, Q_DATE = "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date"
Q_SIGNED_HEADERS, Q_SIGNATURE, Q_EXPIRES = "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Expires"
Q_TOKEN = "X-Amz-Security-Token"
_QUERY_REQUIRED = (Q_ALGORITHM, Q_CREDENTIAL, Q_DATE, Q_SIGNED_HEADERS, Q_SIGNATURE)


@dataclass(slots=True)  # not frozen: built on every request, and frozen dataclasses build slowly
class HttpRequest:
    """A request as it arrived: ``path`` and ``query`` as sent (percent-escapes kept), headers as
    ASGI gives them (lower-case names, repeated names repeated)."""

    method: str
    path: str
    query: str
    headers: Sequence[tuple[bytes, bytes]]
    body: bytes


@dataclass(slots=True)
class _Claim:
    """What the request says about its signature."""

    algorithm: str
    credential: str
    signed_headers: tuple[str, ...]
    signature: str
    request_time: str  # YYYYMMDDTHHMMSSZ, as it goes into the string to sign
    moment: float  # the same, in epoch seconds
    expires: int | None  # the query form's X-Amz-Expires
    token: bool  # an X-Amz-Security-Token came


def _refused(code: str, message: str) -> AuthError:
    return AuthError(code, message)


def _iso(epoch: float) -> str:
    return strftime(_ISO_FORMAT, gmtime(epoch))


class Verifier:
    """Checks the SigV4 signatures of one server's requests (its region, service ``states``).

    Signing keys are derived once per (secret, date) and kept: the HMAC chain is four of the five
    HMACs a request would cost."""

    def __init__(self, region: str, service: str = SERVICE, window_seconds: float = WINDOW_SECONDS):
        self.region = region
        self.service = service
        self.window = window_seconds
        self._keys: dict[tuple[str, str], bytes] = {}

    def verify(self, request: HttpRequest, secret_of: Callable[[str], str | None], now: float) -> str:
        """The access key id that signed ``request``, or AuthError as AWS answers.
        ``secret_of`` gives a key's secret (None: no such key); ``now`` is the server's clock."""
        headers = _header_map(request.headers)
        params = _query_pairs(request.query)
        query_form = any(name == Q_ALGORITHM for name, _ in params)
        authorization = headers.get("authorization")
        if query_form and authorization is not None:
            raise _refused(
                INVALID_SIGNATURE,
                "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
            )
        if query_form:
            claim = _query_claim(dict(params), headers)
        else:
            if authorization is None or not authorization.strip().startswith("AWS4-"):
                raise _refused(MISSING_TOKEN, "Request is missing Authentication Token")
            claim = _header_claim(authorization, headers)
        self._check_time(claim, now)
        _check_signed_headers(claim, headers)
        if claim.algorithm != ALGORITHM:
            raise _refused(
                INCOMPLETE_SIGNATURE,
                f"Unsupported AWS 'algorithm': '{claim.algorithm}' (only {ALGORITHM} for now). ",
            )
        key, date, region, service, terminator = self._scope(claim)
        secret = secret_of(key)
        if secret is None:
            raise _refused(UNRECOGNIZED_CLIENT, "The security token included in the request is invalid.")
        body_hash = hashlib.sha256(request.body).hexdigest()
        payload_hash = headers.get("x-amz-content-sha256") or body_hash
        canonical = canonical_request(
            request, claim.signed_headers, headers, params, query_form, payload_hash
        )
        scope = f"{date}/{region}/{service}/{terminator}"
        to_sign = string_to_sign(claim.request_time, scope, canonical)
        expected = hmac.digest(self._signing_key(secret, date), to_sign.encode(), "sha256").hex()
        if not hmac.compare_digest(expected.encode(), claim.signature.encode("latin-1", "replace")):
            raise _refused(
                INVALID_SIGNATURE,
                "The request signature we calculated does not match the signature you provided. Check "
                "your AWS Secret Access Key and signing method. Consult the service documentation for "
                f"details.\n\nThe Canonical String for this request should have been\n'{canonical}'\n\n"
                f"The String-to-Sign should have been\n'{to_sign}'\n",
            )
        if payload_hash != body_hash:  # the signed X-Amz-Content-SHA256 is not this body's
            raise _refused(
                INVALID_SIGNATURE,
                "The provided 'x-amz-content-sha256' header does not match what was computed.",
            )
        if claim.token:
            raise _refused(UNRECOGNIZED_CLIENT, "The security token included in the request is invalid")
        return key

    def _check_time(self, claim: _Claim, now: float) -> None:
        earliest, latest = now - self.window, now + self.window
        if claim.moment < earliest:
            raise _refused(
                INVALID_SIGNATURE,
                f"Signature expired: {claim.request_time} is now earlier than {_iso(earliest)} "
                f"({_iso(now)} - {self.window / 60:g} min.)",
            )
        if claim.moment > latest:
            raise _refused(
                INVALID_SIGNATURE,
                f"Signature not yet current: {claim.request_time} is still later than {_iso(latest)} "
                f"({_iso(now)} + {self.window / 60:g} min.)",
            )
        if claim.expires is not None and now - claim.expires > claim.moment:
            raise _refused(
                INVALID_SIGNATURE,
                f"Signature expired: {claim.request_time} is now earlier than "
                f"{_iso(now - claim.expires)} ({_iso(now)} - {claim.expires} sec.)",
            )

    def _scope(self, claim: _Claim) -> tuple[str, str, str, str, str]:
        parts = claim.credential.rstrip("/").split("/")
        if len(parts) != 5:
            raise _refused(
                INCOMPLETE_SIGNATURE,
                "Credential must have exactly 5 slash-delimited elements, e.g. "
                f"keyid/date/region/service/term, got '{claim.credential}'",
            )
        key, date, region, service, terminator = parts
        problems = []
        if region != self.region:
            problems.append(f"Credential should be scoped to a valid region, not '{region}'. ")
        if service != self.service:
            problems.append(f"Credential should be scoped to correct service: '{self.service}'. ")
        if terminator != TERMINATOR:
            problems.append(
                f"Credential should be scoped with a valid terminator: '{TERMINATOR}', not '{terminator}'. "
            )
        if date != claim.request_time[:8]:
            problems.append(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                f"'{date}' != '{claim.request_time[:8]}', from '{claim.request_time}'."
            )
        if problems:
            raise _refused(INVALID_SIGNATURE, "".join(problems).rstrip())
        return key, date, region, service, terminator

    def _signing_key(self, secret: str, date: str) -> bytes:
        cached = self._keys.get((secret, date))
        if cached is None:
            if len(self._keys) >= _MAX_CACHED_KEYS:
                self._keys.clear()  # old dates and replaced secrets: rebuilt on demand
            cached = signing_key(secret, date, self.region, self.service)
            self._keys[(secret, date)] = cached
        return cached


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")."""
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, TERMINATOR):
        key = hmac.digest(key, part.encode(), "sha256")
    return key


def canonical_request(
    request: HttpRequest,
    signed_headers: Sequence[str],
    headers: dict[str, str],
    params: Sequence[tuple[str, str]],
    query_form: bool,
    payload_hash: str,
) -> str:
    # "Lowercase(HeaderName) + ':' + Trimall(HeaderValue)" (repeated headers are joined already).
    lines = [name + ":" + " ".join(headers.get(name, "").split()) + "\n" for name in signed_headers]
    query = ""
    if params:
        pairs = sorted(
            (_encode(name), _encode(value))
            for name, value in params
            if not (query_form and name == Q_SIGNATURE)
        )
        query = "&".join(f"{name}={value}" for name, value in pairs)
    return "\n".join(
        (
            request.method.upper(),
            _canonical_uri(request.path),
            query,
            "".join(lines),
            ";".join(signed_headers),
            payload_hash,
        )
    )


def string_to_sign(request_time: str, scope: str, canonical: str) -> str:
    return "\n".join((ALGORITHM, request_time, scope, hashlib.sha256(canonical.encode()).hexdigest()))


# ---- reading the claim ------------------------------------------------------------------------


# What every SDK sends, read in one match; anything else takes the general parse below.
_AUTHORIZATION = re.compile(
    ALGORITHM + r" Credential=([^,\s=]+), ?SignedHeaders=([^,\s=]+), ?Signature=([^,\s=]+)"
)


def _authorization_fields(authorization: str) -> tuple[str, dict[str, str]]:
    """(algorithm, {"Credential": ..., "SignedHeaders": ..., "Signature": ...}) of the header."""
    found = _AUTHORIZATION.fullmatch(authorization)
    if found is not None:
        credential, signed, signature = found.groups()
        return ALGORITHM, {"Credential": credential, "SignedHeaders": signed, "Signature": signature}
    algorithm, _, rest = authorization.strip().partition(" ")
    fields: dict[str, str] = {}
    for part in rest.replace(" ", "").split(","):
        name, equals, value = part.partition("=")
        if equals:
            fields[name] = value
    return algorithm, fields


def _header_claim(authorization: str, headers: dict[str, str]) -> _Claim:
    algorithm, fields = _authorization_fields(authorization)
    dated = headers.get("x-amz-date") or headers.get("date")
    if not (dated and fields.get("Credential") and fields.get("Signature") and fields.get("SignedHeaders")):
        _refuse_incomplete(authorization, fields, dated)
    assert dated is not None
    request_time, moment = _request_time(dated, rfc_allowed="x-amz-date" not in headers)
    return _Claim(
        algorithm=algorithm,
        credential=fields["Credential"],
        signed_headers=_signed_header_names(fields["SignedHeaders"]),
        signature=fields["Signature"],
        request_time=request_time,
        moment=moment,
        expires=None,
        token="x-amz-security-token" in headers,
    )


def _refuse_incomplete(authorization: str, fields: dict[str, str], dated: str | None) -> None:
    missing = "".join(
        f"Authorization header requires '{name}' parameter. "
        for name in ("Credential", "Signature", "SignedHeaders")
        if not fields.get(name)
    )
    if not dated:
        missing += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
    if missing:
        raise _refused(INCOMPLETE_SIGNATURE, f"{missing}Authorization={authorization}")


def _query_claim(params: dict[str, str], headers: dict[str, str]) -> _Claim:
    missing = "".join(
        f"AWS query-string parameters must include '{name}'. "
        for name in _QUERY_REQUIRED
        if not params.get(name)
    )
    if missing:
        raise _refused(INCOMPLETE_SIGNATURE, f"{missing}Re-examine the query-string parameters.")
    request_time, moment = _request_time(params[Q_DATE], rfc_allowed=False)
    expires = params.get(Q_EXPIRES)
    if expires is not None and not (expires.isdigit() and len(expires) <= 9):
        raise _refused(INCOMPLETE_SIGNATURE, f"X-Amz-Expires must be a number of seconds, got '{expires}'")
    return _Claim(
        algorithm=params[Q_ALGORITHM],
        credential=params[Q_CREDENTIAL],
        signed_headers=_signed_header_names(params[Q_SIGNED_HEADERS]),
        signature=params[Q_SIGNATURE],
        request_time=request_time,
        moment=moment,
        expires=int(expires) if expires is not None else None,
        token=Q_TOKEN in params or "x-amz-security-token" in headers,
    )


@lru_cache(maxsize=256)  # the requests of one second share their date
def _request_time(text: str, rfc_allowed: bool) -> tuple[str, float]:
    """(YYYYMMDDTHHMMSSZ, epoch seconds) of a request's date: X-Amz-Date's ISO 8601 basic format,
    or an HTTP ``Date`` header's own format (botocore sends one when the request had a Date)."""
    value = text.strip()
    found = _ISO_BASIC.fullmatch(value)
    moment: datetime | None = None
    if found is not None:
        try:
            year, month, day, hour, minute, second = map(int, found.groups())
            moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except ValueError:
            moment = None
    elif rfc_allowed:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            moment = None
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    if moment is None:
        raise _refused(
            INCOMPLETE_SIGNATURE,
            f"Date must be in ISO-8601 'basic format'. Got '{text}'. See http://en.wikipedia.org/wiki/ISO_8601",
        )
    epoch = moment.timestamp()
    return (value if found is not None else _iso(epoch)), epoch


@lru_cache(maxsize=256)  # a client signs the same headers every time
def _signed_header_names(text: str) -> tuple[str, ...]:
    return tuple(sorted({name.strip().lower() for name in text.split(";") if name.strip()}))


def _check_signed_headers(claim: _Claim, headers: dict[str, str]) -> None:
    signed = claim.signed_headers
    if "host" not in signed:
        raise _refused(INVALID_SIGNATURE, "'Host' must be a 'SignedHeader' in the AWS Authorization.")
    for name in headers:
        if name.startswith("x-amz-") and name not in signed:
            raise _refused(INVALID_SIGNATURE, f"'{name}' must be a 'SignedHeader' in the AWS Authorization.")


# ---- canonical pieces -------------------------------------------------------------------------


def _header_map(raw: Sequence[tuple[bytes, bytes]]) -> dict[str, str]:
    """Header name -> value; a repeated header's values trimmed and comma-joined, as the canonical
    request has them. ASGI gives the names in lower case ("Header names must be lowercased", the
    ASGI HTTP spec)."""
    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in raw}
    if len(headers) == len(raw):
        return headers
    repeated: dict[str, list[str]] = {}
    for name, value in raw:
        repeated.setdefault(name.decode("latin-1"), []).append(" ".join(value.decode("latin-1").split()))
    return {name: ",".join(values) for name, values in repeated.items()}


def _query_pairs(query: str) -> list[tuple[str, str]]:
    if not query:
        return []
    pairs = []
    for part in query.split("&"):
        if part:
            name, _, value = part.partition("=")
            pairs.append((unquote(name), unquote(value)))
    return pairs


def _encode(text: str) -> str:
    # "URI-encode each parameter name and value": unreserved characters as they are, the rest %XX.
    return quote(text, safe="-_.~")


def _canonical_uri(path: str) -> str:
    """The path without dot segments or repeated slashes, URI-encoded (again: AWS services other
    than S3 encode the path twice), as botocore computes it."""
    if path == "/":  # the API's only path
        return path
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment and segment != ".":
            segments.append(segment)
    normalized = "/" + "/".join(segments)
    if path.endswith("/") and segments:
        normalized += "/"
    return quote(normalized, safe="/~")
