"""A real SMTP server for tests (aiosmtpd on a free loopback port) that keeps what it receives."""

from __future__ import annotations

import email
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default

import pytest
from aiosmtpd.controller import Controller

from .ports import free_port


class Inbox:
    """The messages an SMTP server received, parsed, with their envelope recipients."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self._changed = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        with self._changed:
            self.messages.append(email.message_from_bytes(envelope.original_content, policy=default))
            self.recipients.append(list(envelope.rcpt_tos))
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10) -> list[EmailMessage]:
        """Return the messages once at least count have arrived; fail after timeout seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"expected {count} mails, the SMTP server got {len(self.messages)}")
                self._changed.wait(remaining)
            return list(self.messages)


class SmtpServer:
    def __init__(self, port: int, inbox: Inbox):
        self.port = port
        self.inbox = inbox

    @property
    def url(self) -> str:
        """MAIL_URL for an app that should send here."""
        return f"smtp://127.0.0.1:{self.port}"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """Start an SMTP server on a free loopback port; its inbox holds every mail sent to it."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(port, inbox)
    finally:
        controller.stop()
