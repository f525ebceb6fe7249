"""A websocket client for tests: speaks ASGI straight to the real application (the same
`build_application` that `sellerdesk run` serves: origin check, session auth, routing), with
a real session cookie, so every check a browser meets is met here too."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

Message = dict[str, Any]


def session_cookie(user: User) -> str:
    """A signed-in session for `user`, as the browser's cookie header would carry it."""
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


class Socket:
    def __init__(
        self, app: Any, path: str, cookie: str = "", origin: str = "http://127.0.0.1"
    ) -> None:
        headers = [(b"host", b"127.0.0.1"), (b"origin", origin.encode())]
        if cookie:
            headers.append((b"cookie", cookie.encode()))
        self.path = path
        self.communicator = ApplicationCommunicator(
            app,
            {
                "type": "websocket",
                "path": path,
                "raw_path": path.encode(),
                "query_string": b"",
                "headers": headers,
                "subprotocols": [],
                "client": ("127.0.0.1", 50000),
                "server": ("127.0.0.1", 8000),
            },
        )
        self.received: list[Message] = []
        self.close_code: int | None = None

    async def connect(self) -> bool:
        await self.communicator.send_input({"type": "websocket.connect"})
        answer = await self.communicator.receive_output(5)
        if answer["type"] == "websocket.close":
            self.close_code = answer.get("code")
            return False
        assert answer["type"] == "websocket.accept", answer
        return True

    async def send(self, payload: Any) -> None:
        await self.communicator.send_input(
            {"type": "websocket.receive", "text": json.dumps(payload)}
        )

    async def receive(self, timeout: float = 5) -> Message:
        answer = await self.communicator.receive_output(timeout)
        if answer["type"] == "websocket.close":
            self.close_code = answer.get("code")
            return {"type": "<closed>", "code": self.close_code}
        assert answer["type"] == "websocket.send", answer
        message: Message = json.loads(answer["text"])
        self.received.append(message)
        return message

    async def until(self, wanted: Callable[[Message], bool], timeout: float = 5) -> Message:
        """Read until a message matches (others are skipped), or fail naming what came."""
        deadline = asyncio.get_running_loop().time() + timeout
        seen: list[Message] = []
        while True:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise AssertionError(f"no matching message on {self.path}; got {seen}")
            try:
                message = await self.receive(left)
            except TimeoutError:
                raise AssertionError(f"no matching message on {self.path}; got {seen}") from None
            seen.append(message)
            if wanted(message):
                return message
            if message["type"] == "<closed>":
                raise AssertionError(f"{self.path} closed ({self.close_code}); got {seen}")

    async def silent(self, timeout: float = 0.3) -> bool:
        return bool(await self.communicator.receive_nothing(timeout))

    async def close(self) -> None:
        await self.communicator.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.communicator.wait(2)


def presence_of(message: Message) -> dict[str, str]:
    """name -> activity, from a presence payload."""
    return {viewer["name"]: viewer["activity"] for viewer in message["viewers"]}


def is_presence(
    expected: dict[str, str], claim: str | object | None = ...
) -> Callable[[Message], bool]:
    def match(message: Message) -> bool:
        if message["type"] != "presence" or presence_of(message) != expected:
            return False
        if claim is ...:
            return True
        return (message["claim"] or {}).get("name") == claim

    return match
