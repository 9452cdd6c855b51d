"""The job poller's functions (``--functions examples/job-poller/functions.py``).

A stand-in for a batch service: a job needs ``polls`` status checks before it finishes, and ends
FAILED when its input says ``"fail": true``. The job's progress travels in the payload, so the
functions keep no state between calls (as Lambda functions should not).
"""

import uuid


def submit_job(event, context):
    return {
        "id": str(uuid.uuid4()),
        "name": event.get("name", "job"),
        "polls_left": int(event.get("polls", 2)),
        "fail": bool(event.get("fail", False)),
        "status": "SUBMITTED",
    }


def get_job_status(event, context):
    job = dict(event["job"])
    job["polls_left"] -= 1
    if job["polls_left"] > 0:
        job["status"] = "RUNNING"
    else:
        job["status"] = "FAILED" if job["fail"] else "SUCCEEDED"
    return job


def get_final_job_status(event, context):
    job = event["job"]
    return {"result": {"id": job["id"], "name": job["name"], "status": job["status"]}}
