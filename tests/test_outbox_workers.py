"""The loop both outbox workers run (`lms lti deliver --loop`, `lms mail deliver --loop`): batches, waits, outages."""

from __future__ import annotations

import sqlite3

import click
import pytest
from flask_migrate import upgrade
from sqlalchemy.exc import OperationalError, ProgrammingError

from lms import cli_outbox
from lms.cli_lti import deliver_batch
from lms.cli_outbox import outbox_round, run_outbox_worker
from lms.extensions import db

from .conftest import PROJECT_ROOT
from .postgres_cluster import app_on, private_postgres  # noqa: F401 (a fixture)

LOCKED = OperationalError("SELECT 1", {}, sqlite3.OperationalError("database is locked"))


class Stop(Exception):
    """Ends a worker loop in a test."""


def scripted(*outcomes):
    """A deliver function that gives (or raises) each outcome in turn, then stops the loop."""
    calls = []

    def deliver(limit: int):
        calls.append(limit)
        if len(calls) > len(outcomes):
            raise Stop
        outcome = outcomes[len(calls) - 1]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return deliver, calls


def test_a_loop_waits_out_an_outage_goes_on_at_once_after_a_full_batch_and_waits_after_a_short_one(
    app, monkeypatch, capsys
):
    naps = []
    monkeypatch.setattr(cli_outbox.time, "sleep", naps.append)
    deliver, calls = scripted(LOCKED, ["a", "b"], ["c"], [])
    with pytest.raises(Stop):
        run_outbox_worker(deliver, str.upper, loop=True, interval=7, limit=2, nothing_due="none")
    assert calls == [2, 2, 2, 2, 2]
    # The outage: wait; a full batch: at once; a short one and an empty one: wait.
    assert naps == [7, 7, 7]
    printed = capsys.readouterr()
    assert printed.out.split() == ["A", "B", "C"]
    assert "The database is unavailable (OperationalError)" in printed.err


def test_a_single_run_reports_an_outage_as_an_error_and_nothing_due_as_such(app, capsys):
    with pytest.raises(click.ClickException, match="the database is unavailable; nothing was sent"):
        run_outbox_worker(scripted(LOCKED)[0], str, loop=False, interval=1, limit=5, nothing_due="none")
    run_outbox_worker(scripted([])[0], str, loop=False, interval=1, limit=5, nothing_due="Nothing is due.")
    assert capsys.readouterr().out.strip() == "Nothing is due."


def test_an_error_that_is_not_an_outage_stops_the_worker(app):
    broken = ProgrammingError("SELECT nothing", {}, sqlite3.OperationalError("no such table: nothing"))
    with pytest.raises(ProgrammingError):
        outbox_round(scripted(broken)[0], 5)


def test_the_grade_worker_waits_out_a_database_outage_without_a_restart(private_postgres):  # noqa: F811
    app = app_on(private_postgres)
    with app.app_context():
        upgrade(directory=str(PROJECT_ROOT / "migrations"))
        assert outbox_round(deliver_batch, 10) == []
        private_postgres.stop()
        try:
            once = app.test_cli_runner().invoke(args=["lms", "lti", "deliver"])
            assert once.exit_code == 1 and "the database is unavailable" in once.output
            assert outbox_round(deliver_batch, 10) is None, "what --loop does: wait and try again, not stop"
        finally:
            private_postgres.start()
        assert outbox_round(deliver_batch, 10) == [], "the same worker goes on once the server is back"
        db.session.remove()
        db.engine.dispose()
