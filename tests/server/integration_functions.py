"""Functions for tests/server/test_integrations.py: ones that misbehave as real functions do."""

import os
import time


def pid_then_sleep(event, context):
    with open(event["pid_file"], "w") as out:
        out.write(str(os.getpid()))
    time.sleep(event.get("seconds", 30))
    return {"slept": True}


def sleep_past_timeout(event, context):
    time.sleep(5)
    return {"never": True}


def exit_abruptly(event, context):
    os._exit(3)


def identity(event, context):
    return event
