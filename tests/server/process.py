"""A real `stepwell serve` process for tests: started on a free port, killed (even with -9)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    def __init__(
        self,
        db: Path | str,
        *,
        functions: list[str] | None = None,
        extra: list[str] | None = None,
        env: dict[str, str] | None = None,
        log: Path | None = None,
    ):
        """``db``: a SQLite file (the log goes beside it) or a postgresql:// URL (give ``log``)."""
        self.db = db
        self.env = env or {}
        self.port = free_port()
        self.functions = functions or []
        self.extra = extra or []
        self.process: subprocess.Popen[bytes] | None = None
        if log is None:
            assert isinstance(db, Path), "a server on a database URL needs a log path"
            log = db.with_suffix(".log")
        self.log = log

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> ServerProcess:
        args = [sys.executable, "-m", "stepwell.cli", "serve", "--port", str(self.port), "--db", str(self.db)]
        for module in self.functions:
            args += ["--functions", module]
        args += self.extra
        log = open(self.log, "ab")  # noqa: SIM115 (the child writes to it until it ends)
        self.process = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **self.env}
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}: {self.log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"server did not listen within {timeout}s: {self.log.read_text()}")

    def kill(self) -> None:
        """kill -9: no shutdown, no flush, exactly a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> int:
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        return int(self.process.returncode)

    def client(self, **config: Any) -> Any:
        return boto3.client(
            "stepfunctions",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(
                inject_host_prefix=False, retries={"total_max_attempts": 1}, read_timeout=70, **config
            ),
        )
