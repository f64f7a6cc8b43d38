"""`flask lms mail deliver`: the worker that sends the mail outbox's due mails (password resets, verifications)."""

from __future__ import annotations

import time
from datetime import timedelta

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from .database import is_unavailable
from .extensions import db
from .models import utcnow
from .services.mail_outbox import Delivery, prune
from .web.mails import deliver_due

mail = AppGroup("mail", help="The mail outbox: deliver account mails the site could not send at once.")


def deliver_round(limit: int) -> list[Delivery] | None:
    """Send one batch of due mails; None when the database is unreachable (the rows wait, nothing is lost)."""
    try:
        return deliver_due(limit)
    except SQLAlchemyError as error:
        db.session.rollback()
        if not is_unavailable(error):
            raise
        click.echo(f"The database is unavailable ({type(error).__name__}); the mails wait.", err=True)
        return None


@mail.command("deliver")
@click.option("--loop", is_flag=True, help="Keep running, looking for due mails every --interval seconds.")
@click.option("--interval", default=5.0, show_default=True, type=click.FloatRange(0.1, 3600))
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000), help="Mails per batch.")
def deliver(loop: bool, interval: float, limit: int) -> None:
    """Send the due mails of the outbox, retrying failures with backoff; safe to run several at once.

    With --loop, a database outage does not stop the worker: it tries again after the interval.
    """
    while True:
        deliveries = deliver_round(limit)
        if deliveries is None and not loop:
            raise click.ClickException("the database is unavailable; nothing was sent")
        for delivery in deliveries or []:
            click.echo(
                f"mail {delivery.row_id} ({delivery.kind}): {delivery.status}"
                + (f" ({delivery.error})" if delivery.error else "")
            )
        if not loop:
            if not deliveries:
                click.echo("No mail is due.")
            return
        if deliveries is None or len(deliveries) < limit:
            time.sleep(interval)


@mail.command("prune")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 3650), help="Keep this many days.")
def prune_command(days: int) -> None:
    """Delete sent and given-up mails older than --days (pending ones stay): the outbox keeps no old records."""
    removed = prune(utcnow() - timedelta(days=days))
    db.session.commit()
    click.echo(f"{removed} mail record{'' if removed == 1 else 's'} older than {days} days deleted.")
