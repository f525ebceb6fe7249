"""The ASGI application with its lifespan, and uvicorn to serve it.

`sellerdesk run` starts the Huey consumer inside the server (the embedded mode): in the
lifespan startup, as threads, without signal handlers of its own. `sellerdesk web` serves
without a consumer; `sellerdesk worker` runs consumers alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import uvicorn
from channels.routing import ProtocolTypeRouter
from django.core.asgi import get_asgi_application

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def build_application(*, run_consumer: bool) -> ASGIApp:
    django_app = get_asgi_application()
    # Imported after Django is set up: the consumers import models.
    from channels.auth import AuthMiddlewareStack
    from channels.routing import URLRouter
    from channels.security.websocket import AllowedHostsOriginValidator
    from django.conf import settings
    from django.utils.module_loading import import_string

    # Named in settings, as ROOT_URLCONF is for pages: the routes belong to the top layer.
    websocket_urlpatterns = import_string(settings.WEBSOCKET_URLPATTERNS)

    router = ProtocolTypeRouter(
        {
            "http": django_app,
            # Session auth as for pages, and only from our own origin: a page elsewhere
            # cannot open a socket with the agent's cookies.
            "websocket": AllowedHostsOriginValidator(
                AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
            ),
        }
    )

    async def application(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send, run_consumer=run_consumer)
            return
        await router(scope, receive, send)

    return application


async def lifespan(receive: Receive, send: Send, *, run_consumer: bool) -> None:
    from sellerdesk.lib.events import bind_event_loop, unbind_event_loop

    consumer = None
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            # Realtime events raised in other threads (the task consumer's, sync views')
            # are handed to this loop, where the consumers wait for them (lib/events.py).
            bind_event_loop(asyncio.get_running_loop())
            fresh_channel_layer()
            try:
                if run_consumer:
                    from sellerdesk.runtime.queue import create_consumer

                    consumer = create_consumer(embedded=True)
                    consumer.start()
                    log.info("task consumer started inside the server")
            except Exception as error:
                await send({"type": "lifespan.startup.failed", "message": str(error)})
                return
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            unbind_event_loop(asyncio.get_running_loop())
            if consumer is not None:
                # Stopping waits for running tasks and releases the scheduler lease in the
                # database: blocking work that must not run on the event loop.
                await asyncio.to_thread(consumer.stop, graceful=True)
            await send({"type": "lifespan.shutdown.complete"})
            return


def fresh_channel_layer() -> None:
    """A server's loop gets a Redis channel-layer object of its own: channels-redis ties its
    locks to the loop that first used them, so a process that serves twice (the browser
    tests start a server per test) must not hand the second loop the first one's layer.
    The in-memory layer has nothing bound to a loop until a socket connects."""
    from channels.layers import InMemoryChannelLayer, channel_layers, get_channel_layer

    if not isinstance(get_channel_layer(), InMemoryChannelLayer):
        channel_layers.backends = {}


def make_server(*, host: str, port: int, run_consumer: bool) -> uvicorn.Server:
    config = uvicorn.Config(
        build_application(run_consumer=run_consumer),
        host=host,
        port=port,
        lifespan="on",
        log_level="info",
        # Behind a load balancer the forwarded headers come from it; on loopback nobody else.
        proxy_headers=True,
        ws="websockets-sansio",
    )
    return uvicorn.Server(config)


def serve(*, host: str, port: int, run_consumer: bool) -> None:
    make_server(host=host, port=port, run_consumer=run_consumer).run()
