"""Calls to course platforms made while serving a page: the tool's clients, and roster syncs that never break a page."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import current_app

from ..extensions import cache, db
from ..lti.errors import ServiceError
from ..lti.tokens import TokenClient
from ..lti.transport import HttpClient
from ..models import LtiContext, utcnow
from ..services.lti.keys import current_key
from ..services.lti.roster_sync import sync_due, sync_roster
from .course_scope import catalog


def lti_clients() -> tuple[HttpClient, TokenClient]:
    """An HTTP client and the tool's access-token client over the shared cache."""
    http = HttpClient()
    key = current_key(current_app.config["LTI_PRIVATE_KEY"], Path(current_app.config["LTI_KEY_FILE"]))
    return http, TokenClient(http, cache, key)


def sync_contexts(contexts: list[LtiContext], *, only_due: bool) -> tuple[int, list[str]]:
    """Sync each context's roster in its own savepoint; return the members seen and the failures."""
    http, tokens = lti_clients()
    every = timedelta(minutes=current_app.config["LTI_ROSTER_SYNC_MINUTES"])
    now, members, problems = utcnow(), 0, []
    for context in contexts:
        if only_due and not sync_due(context, every, now):
            continue
        try:
            with db.session.begin_nested():
                members += sync_roster(context, catalog(), http, tokens, now).members
        except ServiceError as error:
            current_app.logger.warning("LTI roster sync of context %s failed: %s", context.id, error.detail)
            problems.append(context.title or context.context_id)
    return members, problems
