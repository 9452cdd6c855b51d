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
