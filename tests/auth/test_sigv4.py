"""The server's SigV4 check against botocore's signer: what botocore signs verifies, and each way a
request can be wrong is refused with AWS's code and text (reference §1.4)."""

from __future__ import annotations

import hashlib
import string
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stepwell.auth.errors import AuthError
from stepwell.auth.sigv4 import HttpRequest, Verifier, signing_key
from tests.auth.signing import KEY, SECRET, incoming, presigned_url, signed_headers

WHEN = datetime(2026, 12, 3, 7, 14, 16, tzinfo=UTC)
NOW = WHEN.timestamp()
SECRETS = {KEY: SECRET}


def verify(request: HttpRequest, now: float = NOW, region: str = "us-east-1") -> str:
    return Verifier(region).verify(request, SECRETS.get, now)


def refusal(request: HttpRequest, now: float = NOW, region: str = "us-east-1") -> tuple[str, str]:
    with pytest.raises(AuthError) as refused:
        verify(request, now, region)
    assert refused.value.status == 400
    return refused.value.code, refused.value.message


def test_a_request_botocore_signed_is_accepted() -> None:
    assert verify(incoming(signed_headers(WHEN))) == KEY


def test_the_signing_key_of_the_iam_user_guides_example() -> None:
    # "Examples of how to derive a signing key for Signature Version 4" (AWS General Reference).
    key = signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam")
    assert key.hex() == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"


_TOKEN_CHARS = string.ascii_letters + string.digits + "-_.~"
_header_names = st.text(string.ascii_lowercase + "-", min_size=1, max_size=12).filter(
    lambda n: n[0] != "-" and n not in ("host", "authorization", "content-length", "date", "expect")
)
_header_values = st.text(string.ascii_letters + string.digits + " ,;=/:+", min_size=1, max_size=30).filter(
    lambda v: v.strip() != ""
)
_params = st.lists(
    st.tuples(
        st.text(_TOKEN_CHARS + "/ ", min_size=1, max_size=8), st.text(_TOKEN_CHARS + "/ =", max_size=8)
    ),
    max_size=4,
)


@settings(max_examples=150, deadline=None)
@given(
    body=st.binary(max_size=300),
    extra=st.dictionaries(_header_names, _header_values, max_size=4),
    params=_params,
    path=st.sampled_from(["/", "/a/b", "/a/./b/../c", "//x//", "/%20y"]),
    seconds=st.integers(-14 * 60, 14 * 60),
)
def test_whatever_botocore_signs_verifies_and_a_changed_body_does_not(
    body: bytes, extra: dict[str, str], params: list[tuple[str, str]], path: str, seconds: int
) -> None:
    # Encoded as botocore encodes its own parameters (%20, never "+"): the canonical form.
    query = urlencode(params, safe="~", quote_via=quote) if params else ""
    url = f"http://127.0.0.1:8083{path}" + (f"?{query}" if query else "")
    headers = signed_headers(WHEN, body=body, url=url, headers=extra)
    now = NOW + seconds
    assert verify(incoming(headers, body, url), now) == KEY
    tampered = body[:-1] + bytes([body[-1] ^ 1]) if body else b"x"
    code, message = refusal(incoming(headers, tampered, url), now)
    assert code == "InvalidSignatureException"
    assert message.startswith(
        "The request signature we calculated does not match the signature you provided."
    )


def test_the_mismatch_says_what_the_server_computed_and_no_secret() -> None:
    headers = signed_headers(WHEN, secret="not-the-secret")
    code, message = refusal(incoming(headers))
    assert code == "InvalidSignatureException"
    canonical = (
        "POST\n/\n\ncontent-type:application/x-amz-json-1.0\nhost:127.0.0.1:8083\n"
        "x-amz-date:20261203T071416Z\nx-amz-target:AWSStepFunctions.ListStateMachines\n\n"
        "content-type;host;x-amz-date;x-amz-target\n" + hashlib.sha256(b"{}").hexdigest()
    )
    assert f"The Canonical String for this request should have been\n'{canonical}'\n\n" in message
    to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            "20261203T071416Z",
            "20261203/us-east-1/states/aws4_request",
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    assert message.endswith(f"The String-to-Sign should have been\n'{to_sign}'\n")
    assert SECRET not in message and "not-the-secret" not in message


def test_no_authorization_is_a_missing_token() -> None:
    headers = signed_headers(WHEN)
    del headers["Authorization"]
    assert refusal(incoming(headers)) == (
        "MissingAuthenticationTokenException",
        "Request is missing Authentication Token",
    )
    headers["Authorization"] = "Basic dXNlcjpwYXNz"
    assert refusal(incoming(headers))[0] == "MissingAuthenticationTokenException"


def test_an_incomplete_header_lists_what_it_lacks() -> None:
    headers = signed_headers(WHEN)
    headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKID/20261203/us-east-1/states/aws4_request"
    del headers["X-Amz-Date"]
    assert refusal(incoming(headers)) == (
        "IncompleteSignatureException",
        "Authorization header requires 'Signature' parameter. "
        "Authorization header requires 'SignedHeaders' parameter. "
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        "Authorization=AWS4-HMAC-SHA256 Credential=AKID/20261203/us-east-1/states/aws4_request",
    )


def test_a_date_not_in_basic_format() -> None:
    headers = signed_headers(WHEN)
    headers["X-Amz-Date"] = "2026-12-03T07:14:16Z"
    assert refusal(incoming(headers)) == (
        "IncompleteSignatureException",
        "Date must be in ISO-8601 'basic format'. Got '2026-12-03T07:14:16Z'. "
        "See http://en.wikipedia.org/wiki/ISO_8601",
    )


def test_a_date_header_in_http_format_is_read() -> None:
    # botocore replaces a Date header with one in HTTP's format and signs the ISO time.
    headers = signed_headers(WHEN, headers={"Date": "whatever"})
    assert "X-Amz-Date" not in headers and headers["Date"] == "Thu, 03 Dec 2026 07:14:16 -0000"
    assert verify(incoming(headers)) == KEY


def test_signed_twenty_minutes_ago_is_expired() -> None:
    headers = signed_headers(WHEN - timedelta(minutes=20))
    assert refusal(incoming(headers)) == (
        "InvalidSignatureException",
        "Signature expired: 20261203T065416Z is now earlier than 20261203T065916Z "
        "(20261203T071416Z - 15 min.)",
    )


def test_signed_twenty_minutes_ahead_is_not_yet_current() -> None:
    headers = signed_headers(WHEN + timedelta(minutes=20))
    assert refusal(incoming(headers)) == (
        "InvalidSignatureException",
        "Signature not yet current: 20261203T073416Z is still later than 20261203T072916Z "
        "(20261203T071416Z + 15 min.)",
    )


def test_fourteen_minutes_either_side_is_within_the_window() -> None:
    assert verify(incoming(signed_headers(WHEN)), NOW + 14 * 60) == KEY
    assert verify(incoming(signed_headers(WHEN)), NOW - 14 * 60) == KEY


def test_host_must_be_signed() -> None:
    headers = signed_headers(WHEN, sign_host=False)
    assert "SignedHeaders=content-type;x-amz-date;x-amz-target," in headers["Authorization"]
    assert refusal(incoming(headers)) == (
        "InvalidSignatureException",
        "'Host' must be a 'SignedHeader' in the AWS Authorization.",
    )


def test_an_x_amz_header_added_after_signing_is_refused() -> None:
    headers = signed_headers(WHEN)
    headers["X-Amz-Target"] = "AWSStepFunctions.DeleteStateMachine"
    assert refusal(incoming(headers))[0] == "InvalidSignatureException"  # signed: the signature breaks
    headers = signed_headers(WHEN)
    headers["X-Amz-Extra"] = "1"
    assert refusal(incoming(headers)) == (
        "InvalidSignatureException",
        "'x-amz-extra' must be a 'SignedHeader' in the AWS Authorization.",
    )


def test_an_unknown_algorithm() -> None:
    headers = signed_headers(WHEN)
    headers["Authorization"] = headers["Authorization"].replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1", 1)
    assert refusal(incoming(headers)) == (
        "IncompleteSignatureException",
        "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1' (only AWS4-HMAC-SHA256 for now). ",
    )


def test_a_credential_of_four_parts() -> None:
    headers = signed_headers(WHEN)
    headers["Authorization"] = headers["Authorization"].replace("/states/aws4_request", "/states", 1)
    assert refusal(incoming(headers)) == (
        "IncompleteSignatureException",
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
        f"got '{KEY}/20261203/us-east-1/states'",
    )


def test_the_wrong_region() -> None:
    assert refusal(incoming(signed_headers(WHEN, region="eu-west-1"))) == (
        "InvalidSignatureException",
        "Credential should be scoped to a valid region, not 'eu-west-1'.",
    )
    assert verify(incoming(signed_headers(WHEN, region="eu-west-1")), region="eu-west-1") == KEY


def test_the_wrong_service() -> None:
    assert refusal(incoming(signed_headers(WHEN, service="lambda"))) == (
        "InvalidSignatureException",
        "Credential should be scoped to correct service: 'states'.",
    )


def test_every_scope_problem_is_named() -> None:
    headers = signed_headers(WHEN)
    scope = f"{KEY}/20261202/eu-west-1/s3/aws4"
    headers["Authorization"] = headers["Authorization"].replace(
        f"{KEY}/20261203/us-east-1/states/aws4_request", scope
    )
    assert refusal(incoming(headers)) == (
        "InvalidSignatureException",
        "Credential should be scoped to a valid region, not 'eu-west-1'. "
        "Credential should be scoped to correct service: 'states'. "
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4'. "
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
        "'20261202' != '20261203', from '20261203T071416Z'.",
    )


def test_an_unknown_key() -> None:
    assert refusal(incoming(signed_headers(WHEN, key="AKIDNOBODY"))) == (
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    )


def test_a_session_token_is_never_valid() -> None:
    headers = signed_headers(WHEN, token="FQoGZXIvYXdzE")
    assert "x-amz-security-token" in headers["Authorization"]
    assert refusal(incoming(headers)) == (
        "UnrecognizedClientException",
        "The security token included in the request is invalid",
    )


def test_x_amz_content_sha256_is_the_payload_hash_and_must_be_the_bodys() -> None:
    body = b'{"maxResults": 1}'
    good = hashlib.sha256(body).hexdigest()
    assert (
        verify(incoming(signed_headers(WHEN, body=body, headers={"X-Amz-Content-SHA256": good}), body)) == KEY
    )
    for sent in (hashlib.sha256(b"other").hexdigest(), "UNSIGNED-PAYLOAD"):
        headers = signed_headers(WHEN, body=body, headers={"X-Amz-Content-SHA256": sent})
        assert refusal(incoming(headers, body)) == (
            "InvalidSignatureException",
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
        )


def test_the_query_string_form() -> None:
    url = presigned_url(WHEN)
    assert "X-Amz-Signature=" in url
    assert verify(incoming({}, b"", url)) == KEY
    assert refusal(incoming({}, b"{}", url))[0] == "InvalidSignatureException"  # a body it did not sign
    assert refusal(incoming({}, b"", url.replace("X-Amz-Expires=300", "X-Amz-Expires=301")))[0] == (
        "InvalidSignatureException"
    )


def test_the_query_forms_expiry_shortens_the_window() -> None:
    url = presigned_url(WHEN, expires=60)
    assert verify(incoming({}, b"", url), NOW + 59) == KEY
    assert refusal(incoming({}, b"", url), NOW + 61) == (
        "InvalidSignatureException",
        "Signature expired: 20261203T071416Z is now earlier than 20261203T071417Z "
        "(20261203T071517Z - 60 sec.)",
    )
    assert refusal(incoming({}, b"", presigned_url(WHEN, expires=3600)), NOW + 16 * 60)[1].startswith(
        "Signature expired: "
    )


def test_the_query_form_missing_parameters() -> None:
    url = "http://127.0.0.1:8083/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261203T071416Z"
    assert refusal(incoming({}, b"", url)) == (
        "IncompleteSignatureException",
        "AWS query-string parameters must include 'X-Amz-Credential'. "
        "AWS query-string parameters must include 'X-Amz-SignedHeaders'. "
        "AWS query-string parameters must include 'X-Amz-Signature'. "
        "Re-examine the query-string parameters.",
    )


def test_both_forms_at_once() -> None:
    headers = signed_headers(WHEN)
    assert refusal(incoming(headers, b"", presigned_url(WHEN))) == (
        "InvalidSignatureException",
        "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
    )


def test_the_signing_key_is_derived_once_per_day() -> None:
    verifier = Verifier("us-east-1")
    for seconds in (0, 1, 2):
        verifier.verify(incoming(signed_headers(WHEN + timedelta(seconds=seconds))), SECRETS.get, NOW)
    assert len(verifier._keys) == 1
    verifier.verify(incoming(signed_headers(WHEN + timedelta(hours=17))), SECRETS.get, NOW + 17 * 3600)
    assert len(verifier._keys) == 2


def test_fields_of_other_names_do_not_stand_in_for_the_required_ones() -> None:
    headers = signed_headers(WHEN)
    headers["Authorization"] = "AWS4-HMAC-SHA256 Credentials=a, Signed=b, Signatures=c"
    code, message = refusal(incoming(headers))
    assert code == "IncompleteSignatureException"
    assert message.startswith("Authorization header requires 'Credential' parameter. ")


_anything = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=80)


@settings(max_examples=300, deadline=None)
@given(
    authorization=st.one_of(st.none(), _anything, _anything.map(lambda t: "AWS4-HMAC-SHA256 " + t)),
    date=st.one_of(
        st.none(), _anything, st.sampled_from(["20261203T071416Z", "Thu, 03 Dec 2026 07:14:16 GMT"])
    ),
    query=st.one_of(st.just(""), _anything, _anything.map(lambda t: "X-Amz-Algorithm=AWS4-HMAC-SHA256&" + t)),
    extra=st.dictionaries(
        st.sampled_from(["x-amz-security-token", "x-amz-content-sha256", "date"]), _anything
    ),
)
def test_any_garbage_is_refused_in_aws_words_never_with_a_crash(
    authorization: str | None, date: str | None, query: str, extra: dict[str, str]
) -> None:
    headers = [(name.encode(), value.encode("latin-1")) for name, value in extra.items()]
    if authorization is not None:
        headers.append((b"authorization", authorization.encode("latin-1")))
    if date is not None:
        headers.append((b"x-amz-date", date.encode("latin-1")))
    headers.append((b"host", b"127.0.0.1:8083"))
    try:
        verify(HttpRequest("POST", "/", query, headers, b"{}"))
    except AuthError as refused:
        assert refused.code in {
            "MissingAuthenticationTokenException",
            "IncompleteSignatureException",
            "InvalidSignatureException",
            "UnrecognizedClientException",
        }
