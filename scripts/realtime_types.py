"""The browser's copy of the sockets' close codes and message types, generated from
apps/realtime/protocol.py.

`python scripts/realtime_types.py` (`make api-types` runs it too) writes
frontend/src/lib/realtime-protocol.ts: every module-level CLOSE_* and MESSAGE_* constant, with
the comment its line carries. tests/test_api_types.py fails when the committed file differs from
a fresh generation, so a protocol change without regenerated constants fails make test.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "apps" / "realtime" / "protocol.py"
OUTPUT = ROOT / "frontend" / "src" / "lib" / "realtime-protocol.ts"
PREFIXES = ("CLOSE_", "MESSAGE_")
HEADER = (
    "// GENERATED from apps/realtime/protocol.py by scripts/realtime_types.py: do not edit.\n"
    "// Regenerate with `make api-types`; make test fails when this file is stale.\n"
)


def typescript() -> str:
    """One exported constant per CLOSE_*/MESSAGE_* of the protocol, its comment as a doc."""
    text = SOURCE.read_text()
    lines = text.splitlines()
    out = [HEADER]
    for node in ast.parse(text).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        name = getattr(node.targets[0], "id", "")
        if not name.startswith(PREFIXES) or not isinstance(node.value, ast.Constant):
            continue
        _, _, comment = lines[node.lineno - 1].partition("  # ")
        if comment:
            out.append(f"/** {comment.strip()} */\n")
        out.append(f"export const {name} = {json.dumps(node.value.value)};\n")
    return "".join(out)


def main() -> int:
    OUTPUT.write_text(typescript())
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
