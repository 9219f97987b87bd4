"""Real SMTP servers for tests (aiosmtpd), including ones that fail on purpose."""

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller

from tests.netutils import closed_port


class Sink:
    """An SMTP handler that answers from `plan` first (e.g. "421 ..."), then accepts.

    `plan` answers DATA, `rcpt` answers RCPT TO; `drop` is how many DATA commands are
    cut off (the connection closed before any answer) after the message arrived.
    """

    def __init__(
        self,
        plan: list[str] | None = None,
        delay: float = 0,
        *,
        rcpt: list[str] | None = None,
        drop: int = 0,
    ) -> None:
        self.plan = list(plan or [])
        self.rcpt_plan = list(rcpt or [])
        self.drop = drop
        self.delay = delay
        self.messages: list[Message] = []
        self.attempts = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # noqa: N802 - aiosmtpd
        with self.lock:
            if self.rcpt_plan:
                return self.rcpt_plan.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        if self.delay:
            await asyncio.sleep(self.delay)
            if server.transport is None or server.transport.is_closing():
                return "421 the client went away"  # nobody hears it: not delivered
        with self.lock:
            self.attempts += 1
            if self.drop:
                self.drop -= 1
                server.transport.abort()  # the client never hears whether it arrived
                return "421 gone"
            if self.plan:
                return self.plan.pop(0)
            self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@contextmanager
def smtp_server(handler: Sink) -> Iterator[int]:
    """Run an SMTP server on a free loopback port for the duration; yield the port."""
    port = closed_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
