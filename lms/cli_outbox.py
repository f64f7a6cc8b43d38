"""The loop both outbox workers run (`lms lti deliver`, `lms mail deliver`): rounds, waits, and database outages."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypeVar

import click
from sqlalchemy.exc import SQLAlchemyError

from .database import is_unavailable
from .extensions import db

Delivery = TypeVar("Delivery")


def worker_options(items: str) -> Callable:
    """The options of a worker command: --loop, --interval and --limit (`items`: what a batch holds)."""
    options = (
        click.option("--loop", is_flag=True, help=f"Keep running, looking for due {items} every --interval seconds."),
        click.option("--interval", default=5.0, show_default=True, type=click.FloatRange(0.1, 3600)),
        click.option(
            "--limit",
            default=50,
            show_default=True,
            type=click.IntRange(1, 1000),
            help=f"{items.capitalize()} per batch.",
        ),
    )

    def decorate(command: Callable) -> Callable:
        for option in reversed(options):  # as stacked decorators apply: the last one first
            command = option(command)
        return command

    return decorate


def outbox_round(deliver: Callable[[int], Sequence[Delivery]], limit: int) -> Sequence[Delivery] | None:
    """Run one batch of deliveries; None when the database is unreachable (the rows wait, nothing is lost)."""
    try:
        return deliver(limit)
    except SQLAlchemyError as error:
        db.session.rollback()
        if not is_unavailable(error):
            raise
        click.echo(f"The database is unavailable ({type(error).__name__}); the outbox waits.", err=True)
        return None


def run_outbox_worker(
    deliver: Callable[[int], Sequence[Delivery]],
    describe: Callable[[Delivery], str],
    *,
    loop: bool,
    interval: float,
    limit: int,
    nothing_due: str,
) -> None:
    """Deliver once, or with loop keep delivering: a full batch goes on at once, else it waits the interval.

    A database outage ends a single run with an error, but a loop waits it out: the pool's
    pre-ping replaces the dead connections once the server is back, without a restart.
    """
    while True:
        deliveries = outbox_round(deliver, limit)
        if deliveries is None and not loop:
            raise click.ClickException("the database is unavailable; nothing was sent")
        for delivery in deliveries or []:
            click.echo(describe(delivery))
        if not loop:
            if not deliveries:
                click.echo(nothing_due)
            return
        if deliveries is None or len(deliveries) < limit:
            time.sleep(interval)
