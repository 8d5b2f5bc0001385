"""The shared folder of prometheus_client's multiprocess mode.

Every process (uvicorn/gunicorn workers, Celery workers and their pool processes) writes its
samples to memory-mapped files in PROMETHEUS_MULTIPROC_DIR; /metrics adds them up. The variable
must be set before prometheus_client is first imported (it picks its storage at import), so the
settings call `metrics_dir_prepare` first thing. No Django imports here: settings and gunicorn's
config file use it.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"
# Gauges whose files belong to one live process: they must go when that process is gone.
_LIVE_PREFIXES = ("gauge_live",)


def metrics_dir_prepare(default: Path) -> Path:
    """Set PROMETHEUS_MULTIPROC_DIR (if unset) and create the folder; drop the live gauges of
    processes that no longer exist (a restarted worker must not count its old connections)."""
    path = Path(os.environ.setdefault(ENV, str(default)))
    path.mkdir(parents=True, exist_ok=True)
    for file in path.glob("gauge_live*_*.db"):
        pid = file.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            file.unlink(missing_ok=True)
    return path


def metrics_dir_wipe(path: Path) -> int:
    """Delete every sample file (only while no process of the platform runs). Returns the count."""
    removed = 0
    for file in path.glob("*.db"):
        file.unlink(missing_ok=True)
        removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
