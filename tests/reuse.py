"""Set-up kept for the run instead of being redone in every test's app: URL builders and database engines.

Nearly every test makes an app; most of what that costs is the same each time. What is kept here
depends only on its key, so a test sees exactly what a fresh app would give it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import Rule

from lms.extensions import db

# -- URL builders --------------------------------------------------------------------------------

# Werkzeug writes and compiles two Python functions per URL rule for every new app (about 120 ms of
# the 140 a test's app costs). The function depends only on the rule's text and trace, its defaults
# (converted ahead of time) and append_unknown; converters are looked up through `self` at call time.
_compile_builder = getattr(Rule, "_compile_builder", None)
_builders: dict[tuple, object] = {}


def _compile_builder_once(self: Rule, append_unknown: bool = True):
    defaults = self.defaults or {}
    # Defaults of variable parts are baked in with their converter's to_url: key by their type too.
    converters = tuple(sorted((name, type(self._converters[name])) for name in defaults if name in self._converters))
    key = (self.rule, tuple(self._trace), repr(sorted(defaults.items())), converters, append_unknown)
    if key not in _builders:
        _builders[key] = _compile_builder(self, append_unknown)
    return _builders[key]


def remember_url_builders() -> None:
    """Keep each rule's built URL function for the run (a Werkzeug without `_compile_builder` builds them as before)."""
    # A private method of the pinned Werkzeug: where it is missing there is nothing to keep.
    if _compile_builder is not None:
        Rule._compile_builder = _compile_builder_once


# -- database engines ----------------------------------------------------------------------------

# SQLAlchemy compiles each statement once per engine (its cache is keyed by the engine's dialect),
# so a new engine per test compiles every query again. Tests' apps with the same database, engine
# options and settings that the engine set-up reads (lms/database.py) share one engine instead.
_engines: dict[tuple, Engine] = {}
_baselines: dict[int, dict] = {}


def _listeners(engine: Engine) -> dict[tuple[int, str], list]:
    """Every listener on the engine, its pool and its dialect, by (which of the three, event name)."""
    found = {}
    for place, target in enumerate((engine, engine.pool, engine.dialect)):
        for name in target.dispatch._event_names:
            found[(place, name)] = list(getattr(target.dispatch, name))
    return found


def _remove_listeners_since(engine: Engine, before: dict) -> None:
    """Remove every listener added to the engine (and its pool and dialect) since `before` was taken."""
    targets = (engine, engine.pool, engine.dialect)
    for (place, name), listeners in _listeners(engine).items():
        for listener in listeners:
            if listener not in before.get((place, name), ()):
                # SQLAlchemy files a listener under the target it was given (the engine, as a rule).
                given = next((t for t in (engine, targets[place]) if event.contains(t, name, listener)), engine)
                event.remove(given, name, listener)
    assert _listeners(engine) == before, "a listener on the shared engine could not be removed"


@contextlib.contextmanager
def shared_engines() -> Iterator[None]:
    """Within this block, new apps get the run's engine for their key instead of a new one.

    The app's own engine set-up (lms/database.py) adds its listeners to a reused engine again:
    they are removed when the block ends, as the first app's identical ones are still there.
    """
    made: list[tuple[Engine, bool]] = []
    make_engine = db._make_engine

    def make(bind_key, options, app):
        key = (
            bind_key,
            repr(sorted(options.items())),
            app.config.get("DATABASE_LOCK_TIMEOUT"),
            app.config.get("SQLALCHEMY_RECORD_QUERIES"),
        )
        reused = key in _engines
        if not reused:
            _engines[key] = make_engine(bind_key, options, app)
        made.append((_engines[key], reused))
        return _engines[key]

    db._make_engine = make
    try:
        yield
    finally:
        del db._make_engine  # back to the class's method
        for engine, reused in made:
            if reused:
                _remove_listeners_since(engine, _baselines[id(engine)])
    for engine, reused in made:
        if not reused:
            _baselines[id(engine)] = _listeners(engine)


def assert_no_leaked_listeners(engine: Engine) -> None:
    """Fail when a test left a listener on the shared engine, where the next test would meet it."""
    leaked = {
        place: [listener for listener in listeners if listener not in _baselines[id(engine)].get(place, ())]
        for place, listeners in _listeners(engine).items()
    }
    leaked = {place: listeners for place, listeners in leaked.items() if listeners}
    assert not leaked, f"the test left listeners on the run's shared engine: {leaked}"
