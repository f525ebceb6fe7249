"""The local SMTP server with faults on demand, for the SMTP client's failure paths."""

from __future__ import annotations

import asyncio
from typing import Literal

from aiosmtpd.smtp import SMTP, Envelope, Session

from sellerdesk.mail.transport.smtpd import LocalSmtpServer, RecordingHandler

Fault = Literal[
    "none",
    "rcpt_550",  # refuse every recipient permanently
    "rcpt_450",  # refuse every recipient temporarily
    "data_451",  # take the message, then answer 451 instead of 250
    "data_554",  # take the message, then answer 554
    "drop_after_data",  # take the message, then close the connection without a reply
    "stall_after_data",  # take the message, then never answer
]


class FaultyHandler(RecordingHandler):
    """Records like the real handler (so a test can prove the server did get the data), then
    misbehaves as `fault` says."""

    def __init__(self) -> None:
        super().__init__()
        self.fault: Fault = "none"

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if self.fault == "rcpt_550":
            return "550 5.1.1 No such user here"
        if self.fault == "rcpt_450":
            return "450 4.2.1 Mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.fault == "none":
            return await super().handle_DATA(server, session, envelope)
        self.record(envelope)
        if self.fault == "data_451":
            return "451 4.3.0 Temporary local problem, try later"
        if self.fault == "data_554":
            return "554 5.6.0 Message rejected"
        if self.fault == "drop_after_data":
            # abort(), not close(): nothing buffered may reach the client, as when the
            # server's host dies between queueing the message and answering.
            assert isinstance(server.transport, asyncio.WriteTransport)
            server.transport.abort()
            return "250 never sent"
        # stall_after_data: hold the answer far longer than any client timeout in the tests.
        await asyncio.sleep(30)
        return "250 too late"


class FaultySmtpServer(LocalSmtpServer):
    """LocalSmtpServer whose handler can be told to fail: `server.fault = "data_451"`."""

    handler: FaultyHandler

    def __init__(self, **options: object) -> None:
        super().__init__(handler=FaultyHandler(), **options)  # type: ignore[arg-type]

    @property
    def fault(self) -> Fault:
        return self.handler.fault

    @fault.setter
    def fault(self, value: Fault) -> None:
        self.handler.fault = value
