"""Run every process the product needs for `make run`, and stop them all (and the database) on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from impact import embedded_db


class Command(BaseCommand):
    help = "Serve the product with its background worker; Ctrl-C stops everything."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        address = f"{options['host']}:{options['port']}"
        commands = {
            "web": [python, "manage.py", "runserver", address],
            "worker": [python, "manage.py", "db_worker"],
            "scheduler": [python, "manage.py", "scheduler"],
        }
        processes = {
            name: subprocess.Popen(command, cwd=settings.BASE_DIR, start_new_session=True)  # noqa: S603  (fixed argv)
            for name, command in commands.items()
        }
        self.stdout.write(
            f"Serving on http://{address}/ (web, worker and scheduler); Ctrl-C stops everything."
        )

        stopping = False

        def stop(*_args: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        try:
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(f"The {name} process ended (exit code {process.returncode}).")
                        exit_code = process.returncode or 1
                        stopping = True
                time.sleep(0.5)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
            for process in processes.values():
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
            if settings.EMBEDDED_DATABASE and embedded_db.stop(settings.BASE_DIR):
                self.stdout.write("Stopped the embedded PostgreSQL server.")
        if exit_code:
            raise SystemExit(exit_code)
