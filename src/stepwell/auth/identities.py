"""Who may call the API: the identities file of ``stepwell serve --auth FILE``.

    {"principals": [
        {"name": "alice",
         "accessKeyId": "AKIAALICE0000000001",
         "secretAccessKey": "...",
         "policy": {"Version": "2012-10-17", "Statement": [...]},   (or a list of documents)
         "consolePassword": "..."}                                  (optional)
    ]}

A bare list of principals is accepted too. Each principal is an IAM user of the server's account,
``arn:aws:iam::<account>:user/<name>``, with one access key. The file is read once (at start, and
again on SIGHUP): a request never reads it. A file that cannot be used is refused with a message
naming the field at fault (``principals[2].policy.Statement[0].Effect: must be "Allow" or
"Deny"``); no message ever holds a secret or a password.
"""

from __future__ import annotations

import logging
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stepwell.asl import jsoncodec
from stepwell.auth.conditions import PolicyError
from stepwell.auth.policy import Policy, parse_policy
from stepwell.secret import Secret

log = logging.getLogger("stepwell.auth")

_FIELDS = frozenset({"name", "accessKeyId", "secretAccessKey", "policy", "consolePassword"})
# IAM user names: "alphanumeric characters, plus +=,.@_-", at most 64 (IAM API reference, UserName).
_USER_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)
# Access key ids travel inside the credential scope ("<key>/<date>/<region>/<service>/aws4_request"),
# so no "/", "," or space; IAM's own are 16 to 128 word characters.
_ACCESS_KEY_ID = re.compile(r"[\w.-]{1,128}", re.ASCII)


class IdentitiesError(ValueError):
    """An identities file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Principal:
    """One caller: an IAM user with one access key and its identity-based policies."""

    name: str
    arn: str
    access_key_id: str
    secret: Secret = field(repr=False)
    policies: tuple[Policy, ...] = field(repr=False)
    console_password: Secret | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Identities:
    principals: tuple[Principal, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {p.access_key_id: p for p in self.principals})

    def by_access_key(self, access_key_id: str) -> Principal | None:
        by_key: Mapping[str, Principal] = self._by_key  # type: ignore[attr-defined]
        return by_key.get(access_key_id)

    def by_name(self, name: str) -> Principal | None:
        return next((p for p in self.principals if p.name == name), None)


def user_arn(account: str, name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account}:user/{name}"


def parse_identities(data: Any, account: str) -> Identities:
    """The principals of an identities document, or IdentitiesError naming the field at fault."""
    if isinstance(data, dict):
        unknown = sorted(set(data) - {"principals"})
        if unknown:
            raise IdentitiesError(f"{unknown[0]}: is not a field of an identities file (only principals)")
        if "principals" not in data:
            raise IdentitiesError("principals: is required")
        entries = data["principals"]
        if not isinstance(entries, list):
            raise IdentitiesError("principals: must be a list")
    elif isinstance(data, list):
        entries = data
    else:
        raise IdentitiesError('must be an object {"principals": [...]} or a list of principals')
    principals = [_principal(entry, f"principals[{index}]", account) for index, entry in enumerate(entries)]
    _refuse_duplicates(principals)
    return Identities(tuple(principals))


def load_identities(path: str | Path, account: str) -> Identities:
    try:
        text = Path(path).read_bytes()
    except OSError as unreadable:
        raise IdentitiesError(f"cannot read the identities file {path}: {unreadable.strerror}") from None
    try:
        data = jsoncodec.loads(text)
    except jsoncodec.JsonError as bad:
        raise IdentitiesError(f"{path}: not a JSON document ({bad.message})") from None
    try:
        return parse_identities(data, account)
    except IdentitiesError as refused:
        raise IdentitiesError(f"{path}: {refused}") from None


def _principal(raw: Any, where: str, account: str) -> Principal:
    if not isinstance(raw, dict):
        raise IdentitiesError(f"{where}: must be an object")
    for name in raw:
        if name not in _FIELDS:
            raise IdentitiesError(f"{where}.{name}: is not a field of a principal")
    name = _string(raw, "name", where)
    if not _USER_NAME.fullmatch(name):
        raise IdentitiesError(f"{where}.name: must be 1 to 64 letters, digits or +=,.@_-")
    key = _string(raw, "accessKeyId", where)
    if not _ACCESS_KEY_ID.fullmatch(key):
        raise IdentitiesError(f"{where}.accessKeyId: must be 1 to 128 letters, digits or _.-")
    secret = _string(raw, "secretAccessKey", where)
    password = _string(raw, "consolePassword", where) if "consolePassword" in raw else None
    if "policy" not in raw:
        raise IdentitiesError(f"{where}.policy: is required (an IAM policy document or a list of them)")
    documents = raw["policy"]
    try:
        if isinstance(documents, list):
            policies = tuple(parse_policy(d, f"{where}.policy[{i}]") for i, d in enumerate(documents))
        else:
            policies = (parse_policy(documents, f"{where}.policy"),)
    except PolicyError as refused:
        raise IdentitiesError(str(refused)) from None
    return Principal(
        name=name,
        arn=user_arn(account, name),
        access_key_id=key,
        secret=Secret(secret),
        policies=policies,
        console_password=Secret(password) if password is not None else None,
    )


def _string(raw: dict[str, Any], name: str, where: str) -> str:
    if name not in raw:
        raise IdentitiesError(f"{where}.{name}: is required")
    value = raw[name]
    if not isinstance(value, str) or not value:
        # Never the value itself: it may be a secret.
        raise IdentitiesError(f"{where}.{name}: must be a non-empty string")
    return value


def _refuse_duplicates(principals: list[Principal]) -> None:
    keys: dict[str, int] = {}
    names: dict[str, int] = {}
    for index, principal in enumerate(principals):
        if principal.access_key_id in keys:
            first = keys[principal.access_key_id]
            raise IdentitiesError(
                f"principals[{index}].accessKeyId: the same access key id as principals[{first}]"
            )
        if principal.name in names:
            raise IdentitiesError(
                f"principals[{index}].name: the same name as principals[{names[principal.name]}]"
            )
        keys[principal.access_key_id] = index
        names[principal.name] = index


class IdentitiesFile:
    """The identities of a file, read at start and again on ``reload()`` (SIGHUP).

    ``current`` is swapped in one assignment: a request sees the old identities or the new ones,
    never a mix. A file that cannot be used at reload is logged and the old identities are kept."""

    def __init__(self, path: str | Path, account: str):
        self.path = Path(path)
        self.account = account
        self.current: Identities = load_identities(self.path, account)  # IdentitiesError at start
        _warn_if_others_may_read(self.path)

    def reload(self) -> bool:
        try:
            identities = load_identities(self.path, self.account)
        except IdentitiesError as refused:
            log.error("identities not reloaded, the previous ones stay in force: %s", refused)
            return False
        self.current = identities
        log.info("identities reloaded from %s: %d principal(s)", self.path, len(identities.principals))
        _warn_if_others_may_read(self.path)
        return True


def _warn_if_others_may_read(path: Path) -> None:
    """The file holds secret keys: say so when other users of the machine may read it."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        log.warning("%s holds secret keys and other users may read it (chmod 600 %s)", path, path)
