"""The identities file: parsed once into principals, refused with the field named, reloaded."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from stepwell.auth.identities import (
    IdentitiesError,
    IdentitiesFile,
    Principal,
    Secret,
    load_identities,
    parse_identities,
)

ACCOUNT = "123456789012"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def principal(name: str = "alice", key: str = "AKIDALICE", **fields: Any) -> dict[str, Any]:
    return {
        "name": name,
        "accessKeyId": key,
        "secretAccessKey": "s3cr3t-" + name,
        "policy": ALLOW_ALL,
        **fields,
    }


def test_principals_are_parsed_into_typed_values() -> None:
    identities = parse_identities(
        {
            "principals": [
                principal(),
                principal("bob", "AKIDBOB", consolePassword="pw", policy=[ALLOW_ALL] * 2),
            ]
        },
        ACCOUNT,
    )
    alice, bob = identities.principals
    assert alice.arn == "arn:aws:iam::123456789012:user/alice"
    assert alice.access_key_id == "AKIDALICE" and alice.secret.reveal() == "s3cr3t-alice"
    assert len(alice.policies) == 1 and alice.console_password is None
    assert len(bob.policies) == 2 and bob.console_password == Secret("pw")
    assert identities.by_access_key("AKIDBOB") is bob and identities.by_access_key("nope") is None
    assert identities.by_name("alice") is alice


def test_a_bare_list_is_accepted() -> None:
    assert [p.name for p in parse_identities([principal()], ACCOUNT).principals] == ["alice"]


def test_secrets_do_not_show_themselves() -> None:
    alice: Principal = parse_identities([principal(consolePassword="hunter2")], ACCOUNT).principals[0]
    for text in (repr(alice), str(alice), f"{alice}", repr(alice.secret), f"{alice.secret}"):
        assert "s3cr3t" not in text and "hunter2" not in text
    assert "alice" in repr(alice) and "AKIDALICE" in repr(alice)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("principals", 'must be an object {"principals": [...]} or a list of principals'),
        ({}, "principals: is required"),
        ({"principals": {}}, "principals: must be a list"),
        ({"principals": [], "users": []}, "users: is not a field of an identities file (only principals)"),
        ([principal(), "bob"], "principals[1]: must be an object"),
        ([{"accessKeyId": "A", "secretAccessKey": "s", "policy": ALLOW_ALL}],
         "principals[0].name: is required"),
        ([principal(name="a b")], "principals[0].name: must be 1 to 64 letters, digits or +=,.@_-"),
        ([principal(key="AKID/1")], "principals[0].accessKeyId: must be 1 to 128 letters, digits or _.-"),
        ([principal(secretAccessKey="")], "principals[0].secretAccessKey: must be a non-empty string"),
        ([principal(consolePassword=1234)], "principals[0].consolePassword: must be a non-empty string"),
        ([principal(role="admin")], "principals[0].role: is not a field of a principal"),
        ([{k: v for k, v in principal().items() if k != "policy"}],
         "principals[0].policy: is required (an IAM policy document or a list of them)"),
        ([principal(), principal("bob", "b"), principal("carol", "c", policy={"Statement": [
            {"Effect": "Permit", "Action": "*", "Resource": "*"}]})],
         'principals[2].policy.Statement[0].Effect: must be "Allow" or "Deny"'),
        ([principal(policy=[ALLOW_ALL, {"Statement": {"Effect": "Allow", "Action": "*"}}])],
         "principals[0].policy[1].Statement: needs exactly one of Resource and NotResource"),
        ([principal(), principal("bob", "AKIDALICE")],
         "principals[1].accessKeyId: the same access key id as principals[0]"),
        ([principal(), principal("alice", "AKID2")], "principals[1].name: the same name as principals[0]"),
    ],
)  # fmt: skip
def test_a_file_that_cannot_be_used_names_the_field(document: Any, message: str) -> None:
    with pytest.raises(IdentitiesError) as refused:
        parse_identities(document, ACCOUNT)
    assert str(refused.value) == message
    assert "s3cr3t" not in str(refused.value)


def test_an_unreadable_or_broken_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(
        IdentitiesError, match=r"cannot read the identities file .*missing.json: No such file"
    ):
        load_identities(tmp_path / "missing.json", ACCOUNT)
    broken = tmp_path / "broken.json"
    broken.write_text('{"principals": [', encoding="utf-8")
    with pytest.raises(IdentitiesError, match=r"broken.json: not a JSON document \(.*line 1"):
        load_identities(broken, ACCOUNT)
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps([principal(secretAccessKey=7)]), encoding="utf-8")
    with pytest.raises(IdentitiesError) as refused:
        load_identities(wrong, ACCOUNT)
    assert str(refused.value) == f"{wrong}: principals[0].secretAccessKey: must be a non-empty string"


def test_a_reload_swaps_the_identities_and_a_bad_file_keeps_the_old(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "identities.json"
    path.write_text(json.dumps([principal()]), encoding="utf-8")
    held = IdentitiesFile(path, ACCOUNT)
    first = held.current
    path.write_text(json.dumps([principal("bob", "AKIDBOB")]), encoding="utf-8")
    assert held.reload()
    assert [p.name for p in held.current.principals] == ["bob"]
    kept = held.current
    path.write_text(json.dumps([principal("carol", "AKIDCAROL", secretAccessKey="")]), encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="stepwell.auth"):
        assert not held.reload()
    assert held.current is kept and held.current is not first
    assert "identities not reloaded, the previous ones stay in force" in caplog.text
    assert "principals[0].secretAccessKey" in caplog.text


def test_a_file_others_may_read_is_warned_about(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "identities.json"
    path.write_text(json.dumps([principal()]), encoding="utf-8")
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="stepwell.auth"):
        IdentitiesFile(path, ACCOUNT)
    assert f"{path} holds secret keys and other users may read it (chmod 600 {path})" in caplog.text
    caplog.clear()
    path.chmod(0o600)
    with caplog.at_level(logging.WARNING, logger="stepwell.auth"):
        IdentitiesFile(path, ACCOUNT).reload()
    assert "other users may read it" not in caplog.text
