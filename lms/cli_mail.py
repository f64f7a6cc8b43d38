"""`flask lms mail deliver`: the worker that sends the mail outbox's due mails (password resets, verifications)."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from .cli_outbox import outbox_round, run_outbox_worker, worker_options
from .extensions import db
from .models import utcnow
from .services.mail_outbox import Delivery, prune
from .web.mails import deliver_due

mail = AppGroup("mail", help="The mail outbox: deliver account mails the site could not send at once.")


def deliver_round(limit: int) -> list[Delivery] | None:
    """Send one batch of due mails; None when the database is unreachable (the rows wait, nothing is lost)."""
    return outbox_round(deliver_due, limit)


@mail.command("deliver")
@worker_options("mails")
def deliver(loop: bool, interval: float, limit: int) -> None:
    """Send the due mails of the outbox, retrying failures with backoff; safe to run several at once.

    With --loop, a database outage does not stop the worker: it tries again after the interval.
    """
    run_outbox_worker(deliver_due, _describe, loop=loop, interval=interval, limit=limit, nothing_due="No mail is due.")


def _describe(delivery: Delivery) -> str:
    return f"mail {delivery.row_id} ({delivery.kind}): {delivery.status}" + (
        f" ({delivery.error})" if delivery.error else ""
    )


@mail.command("prune")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 3650), help="Keep this many days.")
def prune_command(days: int) -> None:
    """Delete sent and given-up mails older than --days (pending ones stay): the outbox keeps no old records."""
    removed = prune(utcnow() - timedelta(days=days))
    db.session.commit()
    click.echo(f"{removed} mail record{'' if removed == 1 else 's'} older than {days} days deleted.")
