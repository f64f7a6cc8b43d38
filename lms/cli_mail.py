"""`flask lms mail deliver`: the worker that sends the mail outbox's due mails (password resets, verifications)."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from .web.mails import deliver_due

mail = AppGroup("mail", help="The mail outbox: deliver account mails the site could not send at once.")


@mail.command("deliver")
@click.option("--loop", is_flag=True, help="Keep running, looking for due mails every --interval seconds.")
@click.option("--interval", default=5.0, show_default=True, type=click.FloatRange(0.1, 3600))
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000), help="Mails per batch.")
def deliver(loop: bool, interval: float, limit: int) -> None:
    """Send the due mails of the outbox, retrying failures with backoff; safe to run several at once."""
    while True:
        deliveries = deliver_due(limit)
        for delivery in deliveries:
            click.echo(
                f"mail {delivery.row_id} ({delivery.kind}): {delivery.status}"
                + (f" ({delivery.error})" if delivery.error else "")
            )
        if not loop:
            if not deliveries:
                click.echo("No mail is due.")
            return
        if len(deliveries) < limit:
            time.sleep(interval)
