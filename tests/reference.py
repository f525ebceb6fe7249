"""Where the project's shared reference material (Walmart's OpenAPI files) lives.

The checkout has `shared/` beside it (`../shared`), both in a session and in CI's clean
clone; `SELLERDESK_SHARED_DIR` overrides."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    candidates = [os.environ.get("SELLERDESK_SHARED_DIR", ""), str(REPO.parent / "shared")]
    for candidate in candidates:
        if candidate and (Path(candidate) / "reference").is_dir():
            return Path(candidate)
    raise RuntimeError(
        "the shared reference material was not found beside the checkout (../shared); "
        "set SELLERDESK_SHARED_DIR"
    )


WALMART_OPENAPI = shared_dir() / "reference" / "walmart-openapi"
