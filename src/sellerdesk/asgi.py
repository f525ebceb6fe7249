"""ASGI entry point for external servers (`uvicorn sellerdesk.asgi:application`): pages and
websockets only; run `sellerdesk worker` beside it for background work."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sellerdesk.settings")
django.setup()

from sellerdesk.runtime.server import build_application  # noqa: E402

application = build_application(run_consumer=False)
