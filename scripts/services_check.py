"""Checks that the services the test suite needs answer, with a message saying how to start them."""

import shutil
import socket
import sys

SERVICES = {
    "PostgreSQL": (
        "127.0.0.1",
        5432,
        "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    ),
    "Redis": (
        "127.0.0.1",
        6379,
        'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
    ),
}


def main() -> int:
    missing = 0
    for name, (host, port, how) in SERVICES.items():
        try:
            socket.create_connection((host, port), timeout=2).close()
        except OSError as error:
            print(
                f"{name} is not reachable on {host}:{port} ({error}). Start it: {how}",
                file=sys.stderr,
            )
            missing += 1
    if shutil.which("redis-server") is None:  # the outage tests start Redis servers of their own
        print(
            "redis-server is not on the PATH (the Redis outage tests start their own): "
            "apt-get install -y redis-server",
            file=sys.stderr,
        )
        missing += 1
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
