"""What the suite keeps for the run (tests/reuse.py) gives each test what a fresh app would."""

from sqlalchemy import text

from lms import create_app
from lms.extensions import db

from . import reuse


def test_every_kept_url_builder_is_the_one_werkzeug_would_compile(app):
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 20 and reuse._compile_builder is not None
    for rule in rules:
        for append_unknown in (False, True):
            kept = rule._compile_builder(append_unknown).__code__
            fresh = reuse._compile_builder(rule, append_unknown).__code__
            assert (kept.co_code, kept.co_consts, kept.co_varnames, kept.co_name) == (
                fresh.co_code,
                fresh.co_consts,
                fresh.co_varnames,
                fresh.co_name,
            ), rule.rule


def test_apps_with_the_same_settings_share_one_engine_set_up_once(app, tmp_path):
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar_one() == 1
    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'shared.sqlite3'}", "SECRET_KEY": "test-secret-key"}
    engines, listeners = [], []
    for lock_timeout in (2, 2, 3):
        with reuse.shared_engines():
            other = create_app({**config, "DATABASE_LOCK_TIMEOUT": lock_timeout})
        with other.app_context():
            engines.append(db.engine)
            listeners.append(reuse._listeners(db.engine))
            with db.engine.connect() as connection:
                # The per-app SQLite set-up (lms/database.py) still runs on the shared engine's connections.
                assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
                assert connection.execute(text("PRAGMA busy_timeout")).scalar_one() == lock_timeout * 1000
            db.engine.dispose()
    assert engines[0] is engines[1] and engines[2] is not engines[0]
    assert listeners[0] == listeners[1]  # the second app's copies of the set-up's listeners were removed
