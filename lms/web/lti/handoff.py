"""The new window for a browser that keeps no cookie of ours in the frame: a one-time link carries the session."""

from __future__ import annotations

import secrets

from flask import current_app, g, redirect, render_template, session, url_for
from flask.json.tag import TaggedJSONSerializer

from ...extensions import db
from ...models import UserSession
from ...services.lti.handoffs import claim_handoff, end_session
from ..sessions import idle_timeout
from . import PENDING_HANDOFF, PendingHandoff, bp, refusal

_serializer = TaggedJSONSerializer()  # what the session interface stores the data with


def offer_handoff(target: str):
    """The new-window page whose link takes this launch's session, signed in, to `target` in a window of its own.

    The token is bound to the session row when the session interface stores it, in the same transaction.
    """
    token = secrets.token_urlsafe(32)
    g.setdefault(PENDING_HANDOFF, PendingHandoff(token, target))
    response = current_app.make_response(
        render_template("lti/new_window.html", href=url_for("lti.handoff", token=token), handoff=True)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/handoff/<token>")
def handoff(token: str):
    """Spend a hand-off token: take over its launch's session under a new id (cookie set here) and open the target."""
    now = current_app.session_interface.clock()
    claimed = claim_handoff(token, now)
    if claimed is None:
        return refusal("handoff_unusable", "hand-off link unknown, used or expired")
    record = db.session.get(UserSession, claimed.session_id)
    if record is None or record.user_id is None or now >= record.expires_at:
        return refusal("handoff_unusable", "the launch's session has ended")
    if now >= record.last_seen_at + idle_timeout(current_app):
        return refusal("handoff_unusable", "the launch's session has timed out")
    data = _serializer.loads(record.data)
    data.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)  # a new CSRF token, as at sign-in
    end_session(record.id)
    db.session.commit()
    # As a sign-in does: a new id for the same data; the session interface checks the account and sets the cookie.
    session.clear()
    session.update(data)
    session.renew = True
    session.persistent = False
    response = redirect(claimed.target)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
