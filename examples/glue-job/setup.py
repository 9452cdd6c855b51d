"""Creates what the Glue job sample needs in moto (at AWS_ENDPOINT_URL): the Glue job
"stepwell-sample-etl", the SNS topic "stepwell-glue-job" with a queue of the same name subscribed;
and the state machine "glue_job" on stepwell (STEPWELL_ENDPOINT). Prints the state machine's ARN.
Safe to run again. (moto's job runs go STARTING, RUNNING, SUCCEEDED; no script is run.)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import aws_samples  # noqa: E402

JOB = "stepwell-sample-etl"


def setup(sfn: Any | None = None, aws: str | None = None) -> str:
    glue = aws_samples.client("glue", aws)
    if JOB not in glue.list_jobs()["JobNames"]:
        glue.create_job(
            Name=JOB,
            Role=aws_samples.ROLE,
            Command={"Name": "glueetl", "ScriptLocation": "s3://stepwell-scripts/etl.py"},
        )
    aws_samples.notifications("stepwell-glue-job", aws)
    return aws_samples.state_machine("glue_job", HERE / "glue_job.asl.json", sfn)


if __name__ == "__main__":
    print(setup())
