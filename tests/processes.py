"""Running the project in a fresh process, for what is decided at startup (settings)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_python(*args: str, env: dict[str, str], timeout: int = 60) -> subprocess.CompletedProcess:
    """Run the project's Python with only `env` (plus PATH) as its environment."""
    clean = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "alliance.settings", **env}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
