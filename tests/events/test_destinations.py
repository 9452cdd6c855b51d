"""Where events go (events/destinations.py): a webhook (against a receiver on a thread of the
test) and EventBridge's PutEvents entries."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from stepwell.asl import jsoncodec
from stepwell.events.destinations import (
    EVENTBRIDGE,
    DestinationError,
    EventBridge,
    Webhook,
    configured,
    shown_url,
)
from stepwell.events.status_change import status_change
from tests.events.test_status_change import ended, record
from tests.server.receiver import Receiver, receiving


def event(n: int) -> bytes:
    return jsoncodec.dumps(status_change(record(name=f"run-{n}"), event_id=f"id-{n}"))


def test_a_webhook_gets_one_post_per_event_in_order() -> None:
    with receiving() as receiver:
        hook = Webhook(receiver.url)
        assert hook.send([event(0), event(1), event(2)]) == [True, True, True]
        assert [e["id"] for e in receiver.received()] == ["id-0", "id-1", "id-2"]
        assert receiver.content_types == {"application/json"}
        assert receiver.paths == {"/events?token=secret"}, "the query goes with the POST"
        assert receiver.authorizations == {None}
        hook.close()


def test_a_refused_event_holds_back_the_ones_after_it() -> None:
    with receiving(refuse=1) as receiver:
        hook = Webhook(receiver.url)
        assert hook.send([event(0), event(1)]) == [False, False]
        assert receiver.requests == 1, "nothing sent after the refusal"
        assert hook.send([event(0), event(1)]) == [True, True]
        hook.close()


def test_a_receiver_that_closed_the_kept_alive_connection_is_reached_on_a_new_one() -> None:
    receiver = Receiver().start()
    hook = Webhook(receiver.url)
    try:
        assert hook.send([event(0)]) == [True]
        receiver.stop()
        assert hook.send([event(1)]) == [False], "down"
        receiver.start()
        assert hook.send([event(2)]) == [True]
        receiver.stop()  # closes the connection the hook keeps
        receiver.start()
        assert hook.send([event(3)]) == [True], "no refusal for a connection the receiver closed"
        assert [e["id"] for e in receiver.received()] == ["id-0", "id-2", "id-3"]
    finally:
        hook.close()
        receiver.stop()


def test_the_url_s_user_and_password_are_basic_authentication_and_stay_out_of_logs() -> None:
    with receiving() as receiver:
        url = receiver.url.replace("http://", "http://ops:s%3Acret@")
        hook = Webhook(url)
        assert hook.send([event(0)]) == [True]
        assert receiver.authorizations == {"Basic b3BzOnM6Y3JldA=="}  # ops:s:cret
        assert hook.shown == f"http://127.0.0.1:{receiver.port}/events"
        hook.close()
    assert shown_url("https://u:p@example.com:8443/a/b?token=x") == "https://example.com:8443/a/b"


def test_only_http_urls_are_webhooks_and_eventbridge_needs_its_endpoint() -> None:
    with pytest.raises(DestinationError, match="not an http:// or https:// URL"):
        configured(["example.com/hook"], "us-east-1", {})
    found = configured(["http://a/x", "http://a/x", "https://b/y"], "us-east-1", {})
    assert [d.name for d in found] == ["http://a/x", "https://b/y"], "a webhook named twice is one"
    both = configured(["http://a/x"], "us-east-1", {"EVENTS_ENDPOINT": "http://127.0.0.1:9"})
    assert [d.name for d in both] == ["http://a/x", EVENTBRIDGE]
    for destination in [*found, *both]:
        destination.close()


class PutEventsAnswers:
    """Stands in for the boto3 client: answers each PutEvents as told, keeping the requests."""

    def __init__(self, *answers: dict[str, Any] | Exception):
        self.answers = list(answers)
        self.requests: list[list[dict[str, Any]]] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.requests.append(Entries)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_eventbridge_entries_carry_the_event_and_failed_entries_are_not_accepted() -> None:
    done = ended("SUCCEEDED", output='{"x":1}')
    body = jsoncodec.dumps(status_change(done, event_id="e1"))
    client = PutEventsAnswers(
        {"FailedEntryCount": 1, "Entries": [{"EventId": "a"}, {"ErrorCode": "ThrottlingException"}]},
        ConnectionError("down"),
    )
    bridge = EventBridge(client)
    assert bridge.send([body, body]) == [True, False]
    [entry, _] = client.requests[0]
    assert entry == {
        "Source": "aws.states",
        "DetailType": "Step Functions Execution Status Change",
        "Detail": jsoncodec.dumps_text(json.loads(body)["detail"]),
        "Resources": [done.arn],
        "Time": datetime(2025, 12, 3, 8, 0, 5, tzinfo=UTC),
    }
    assert "EventBusName" not in entry, "the default bus"
    assert bridge.send([body]) == [False], "a call that fails accepts nothing"
