"""Creates the state machine "sagemaker_training" on stepwell (STEPWELL_ENDPOINT) and prints its ARN.
moto (at AWS_ENDPOINT_URL) needs nothing beforehand: its training and transform jobs are Completed
as soon as they are created (no container runs), and the model artifact's S3 URL is
``<S3OutputPath>/<TrainingJobName>/output/model.tar.gz`` as SageMaker writes it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import aws_samples  # noqa: E402


def setup(sfn: Any | None = None, aws: str | None = None) -> str:
    return aws_samples.state_machine("sagemaker_training", HERE / "sagemaker_training.asl.json", sfn)


if __name__ == "__main__":
    print(setup())
