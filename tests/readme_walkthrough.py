"""The README's exchange emulator walk-through, read from README.md itself, so the tests run the
documented commands as written (tests/test_readme_emulator.py) and the browser tests add the
documented API key (tests/e2e/test_browser.py): a doc that drifts fails a test."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


@dataclass(frozen=True)
class Walkthrough:
    emulator: list[str]  # `python -m emulator ...` as documented
    fetch_env: dict[str, str]  # the environment the fetch_ohlcv line sets
    fetch: list[str]  # `python manage.py fetch_ohlcv ...`
    curl: list[str]  # the clock control call
    port: int  # the documented port
    api_key: str
    secret: str


def readme_walkthrough() -> Walkthrough:
    text = README.read_text()
    section = text.split("## The exchange emulator", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    commands = [
        shlex.split(line, comments=True)
        for line in block.replace("\\\n", " ").splitlines()
        if line.strip()
    ]
    emulator = next(c for c in commands if c[:3] == ["python", "-m", "emulator"])
    fetch_line = next(c for c in commands if "fetch_ohlcv" in c)
    split = fetch_line.index("python")
    fetch_env = dict(item.split("=", 1) for item in fetch_line[:split])
    curl = next(c for c in commands if c[0] == "curl")
    key, secret, _ = emulator[emulator.index("--account") + 1].split(":", 2)
    return Walkthrough(
        emulator=emulator,
        fetch_env=fetch_env,
        fetch=fetch_line[split:],
        curl=curl,
        port=int(emulator[emulator.index("--port") + 1]),
        api_key=key,
        secret=secret,
    )


def on_port(argv: list[str], documented: int, port: int) -> list[str]:
    """The command with the documented port replaced (tests never take a fixed port)."""
    return [arg.replace(str(documented), str(port)) for arg in argv]
