"""The browser app's API types, generated from the OpenAPI schema.

`python scripts/api_types.py` (or `make api-types`) writes frontend/src/lib/api-schema.ts from the
schema drf-spectacular builds in-process (the same as /api/schema/), with openapi-typescript
(pinned in frontend/tools/openapi-types). tests/test_api_types.py fails when the committed file
differs from a fresh generation, so a serializer change without regenerated types fails make test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "frontend" / "src" / "lib" / "api-schema.ts"
TOOL_DIR = ROOT / "frontend" / "tools" / "openapi-types"
GENERATOR = TOOL_DIR / "node_modules" / ".bin" / "openapi-typescript"
HEADER = (
    "// GENERATED from the OpenAPI schema (/api/schema/) by scripts/api_types.py: do not edit.\n"
    "// Regenerate with `make api-types`; make test fails when this file is stale.\n"
)


class GeneratorMissing(RuntimeError):
    pass


def schema_document() -> dict:
    """The OpenAPI document /api/schema/ serves (Django must be set up)."""
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def typescript_for(schema: dict) -> str:
    """openapi-typescript's output for `schema`, with enum values exported as arrays."""
    if not GENERATOR.exists():
        raise GeneratorMissing(
            f"{GENERATOR} is missing: run `npm ci` in frontend/tools/openapi-types "
            "(make test does it)."
        )
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "schema.json"
        source.write_text(json.dumps(schema, sort_keys=True, default=str))
        target = Path(tmp) / "api-schema.ts"
        subprocess.run(
            [str(GENERATOR), str(source), "--output", str(target), "--enum-values"]
            + ["--alphabetize"],
            check=True,
            capture_output=True,
            text=True,
        )
        return HEADER + target.read_text()


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    try:
        OUTPUT.write_text(typescript_for(schema_document()))
    except GeneratorMissing as error:
        print(error, file=sys.stderr)
        return 1
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
