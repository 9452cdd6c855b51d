"""The refusals of authentication and authorization, in AWS's words (reference §1.4 and §2.4).

They are framework errors of Coral, not the service's own: the API face writes their ``__type``
as ``com.amazon.coral.service#<code>`` with a lower-case ``message`` (api/protocol.py CoralError).
Every one is HTTP 400, AccessDeniedException included (Step Functions answered 400,
FormidableLabs/aws-lambda-serverless-reference#31).
"""

from __future__ import annotations

from stepwell.errors import ServiceError

MISSING_TOKEN = "MissingAuthenticationTokenException"
INCOMPLETE_SIGNATURE = "IncompleteSignatureException"
INVALID_SIGNATURE = "InvalidSignatureException"
UNRECOGNIZED_CLIENT = "UnrecognizedClientException"
ACCESS_DENIED = "AccessDeniedException"


class AuthError(ServiceError):
    """A request refused before the service ran: who sent it is unknown, or may not do it."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(code, message)
        self.status = status
