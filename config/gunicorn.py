"""gunicorn's configuration (Procfile.production): uvicorn workers serving the ASGI app (HTTP
and WebSockets). Every value can be overridden from the environment (GUNICORN_CMD_ARGS too)."""

import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))

from apps.ops.logs import logging_config  # noqa: E402
from apps.ops.metrics_dir import metrics_dir_prepare  # noqa: E402

# Before prometheus_client is imported anywhere (here: child_exit below).
metrics_dir_prepare(BASE_DIR / "var" / "prometheus")

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "uvicorn_worker.UvicornWorker"
# Seconds a worker may stay silent before it is restarted; WebSockets are served by the
# event loop, so this bounds a blocked loop, not a connection.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# The request log is written by the Django middleware (with request ids and routes).
accesslog = None
errorlog = "-"
# gunicorn's and uvicorn's own lines in the platform's format (JSON in production).
logconfig_dict = logging_config(
    log_format=os.environ.get("LOG_FORMAT", "json"),
    level=os.environ.get("LOG_LEVEL", "INFO").upper(),
)
logconfig_dict["loggers"]["gunicorn.error"] = {"handlers": ["console"], "propagate": False}
# X-Forwarded-* are trusted from these addresses only (the reverse proxy).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def child_exit(server, worker):
    """Forget the live gauges (open WebSockets) of a worker that exited."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
