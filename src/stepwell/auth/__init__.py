"""Identities, SigV4 verification and IAM policies for the API (``stepwell serve --auth FILE``).

    identities.py   the identities file: principals, their keys and policies (reloaded on SIGHUP)
    sigv4.py        Signature Version 4, checked on the server side
    policy.py       IAM identity-based policies: parsing and evaluation (pure)
    conditions.py   the Condition block's operators (pure)
    wildcards.py    IAM's * and ? in actions, ARNs and StringLike values (pure)
    operations.py   what each API operation asks: action, resource, condition keys
    guard.py        the door: verify(request) -> Principal, authorize(principal, operation, params)
    errors.py       AuthError and the codes AWS answers

The errors: ``AuthError(ServiceError)`` with ``code`` one of MissingAuthenticationTokenException,
IncompleteSignatureException, InvalidSignatureException, UnrecognizedClientException,
AccessDeniedException; all HTTP 400, ``__type`` in Coral's namespace.
"""
