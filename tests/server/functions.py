"""Lambda-style functions the server tests register with --functions."""

import time


def double(event, context):
    return {"n": event["n"] * 2}


def fail_with(event, context):
    raise ValueError(event.get("message", "boom"))


def sleep_then_echo(event, context):
    time.sleep(event.get("seconds", 1))
    return event


def echo(event, context):
    return event


# ---- for the crash-recovery tests: calls are counted in a file, so a test proves how often a
# function really ran even across a kill -9 of the server.
def count_and_sleep(event, context):
    """Count the call in event["counter"] (before sleeping: the count survives a kill), then sleep."""
    _count(event["counter"])
    time.sleep(event.get("seconds", 1))
    return event


def fail_until(event, context):
    """Fail the first event["failures"] calls (counted in event["counter"]), then succeed."""
    calls = _count(event["counter"])
    if calls <= event.get("failures", 1):
        raise RuntimeError(f"call {calls} fails on purpose")
    return {"calls": calls}


def save_token(event, context):
    """Stand-in for a service that keeps the task token: write it where the test can read it."""
    with open(event["file"], "w") as out:
        out.write(event["token"])
    return {"saved": True}


def answer_before_returning(event, context):
    """A function that hands its task token on and is answered before it returns: the callback
    (sent from another thread, as a fast consumer of a queue would) reaches the server while the
    call is still under way."""
    import threading

    import boto3

    def answer():
        client = boto3.client(
            "stepfunctions",
            endpoint_url=event["endpoint"],
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        client.send_task_success(taskToken=event["token"], output='{"early": true}')

    threading.Thread(target=answer).start()
    time.sleep(event.get("seconds", 0.3))
    return {"returned": True}


def _count(path):
    with open(path, "a") as out:
        out.write("call\n")
    with open(path) as counted:
        return sum(1 for _ in counted)


def slow_first(event, context):
    """The first call (counted in event["counter"]) sleeps event["seconds"]; the others return at once."""
    if _count(event["counter"]) == 1:
        time.sleep(event["seconds"])
    return {"slept": True}
