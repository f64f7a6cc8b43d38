"""The grade outbox: scores written with the graded attempt, claimed by workers, sent to the platform's gradebook."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update

from ...extensions import db
from ...lti.ags import AgsClient, LineItem
from ...lti.errors import ServiceError
from ...lti.grades import RetryPolicy, percent_score, readiness_line_item
from ...lti.messages import AgsEndpoint
from ...lti.tokens import TokenClient
from ...lti.transport import HttpClient
from ...models import (
    Enrollment,
    LtiContext,
    LtiGradeOutbox,
    LtiPlatform,
    LtiResourceLink,
    UserIdentity,
    utcnow,
)
from ..outboxes import claim_due_rows
from .platforms import platform_config

# A claimed row is the claiming worker's for this long; a worker that died lets it go after that.
LEASE = timedelta(minutes=5)
POLICY = RetryPolicy()
LAUNCHED_CONTEXT = (
    select(LtiContext.id, UserIdentity.subject)
    .join(LtiPlatform, LtiPlatform.id == LtiContext.platform_id)
    .join(UserIdentity, UserIdentity.issuer == LtiPlatform.issuer)
    .where(LtiContext.cohort_id == bindparam("cohort_id"), UserIdentity.user_id == bindparam("user_id"))
    .limit(1)
)


def queue_grades(enrollment: Enrollment, lesson_id: str, attempt_id: int, score: float, now: datetime) -> int:
    """Write a launched learner's section and readiness scores with the graded attempt (flush only); return how many."""
    # Every submit runs this while holding the write lock, and most learners were not launched: one
    # statement built once (its compiled form cached), without autoflush.
    with db.session.no_autoflush:
        found = db.session.execute(
            LAUNCHED_CONTEXT, {"cohort_id": enrollment.cohort_id, "user_id": enrollment.user_id}
        ).first()
    if found is None:
        return 0
    context_id, subject = found
    context = db.session.get(LtiContext, context_id)
    links = db.session.execute(
        select(LtiResourceLink).where(
            LtiResourceLink.context_id == context.id,
            LtiResourceLink.lesson_id == lesson_id,
            LtiResourceLink.line_item_url.is_not(None),
        )
    ).scalars()
    rows = [
        LtiGradeOutbox(
            context_id=context.id,
            user_id=enrollment.user_id,
            attempt_id=attempt_id,
            resource_link_id=link.id,
            kind="lesson",
            lti_user_id=subject,
            score=score,
            graded_at=now,
            next_attempt_at=now,
        )
        for link in links
    ]
    if context.lineitems_url:
        rows.append(
            LtiGradeOutbox(
                context_id=context.id,
                user_id=enrollment.user_id,
                attempt_id=attempt_id,
                kind="readiness",
                lti_user_id=subject,
                score=float(enrollment.readiness_score),
                graded_at=now,
                next_attempt_at=now,
            )
        )
    db.session.add_all(rows)
    db.session.flush()
    return len(rows)


def claim_due(now: datetime, limit: int = 50) -> list[int]:
    """Claim up to `limit` due rows for this worker (a lease), so that no other worker sends them; flush only."""
    return claim_due_rows(LtiGradeOutbox, now, limit, LEASE)


@dataclass(frozen=True)
class Delivery:
    """What became of one claimed row."""

    row_id: int
    status: str
    error: str | None = None


def send(row: LtiGradeOutbox, http: HttpClient, tokens: TokenClient) -> None:
    """Post one score to its line item (creating the context's Readiness line item first); raises ServiceError."""
    context = row.context
    endpoint = AgsEndpoint(
        scopes=tuple((context.ags_scopes or "").split()),
        lineitems_url=context.lineitems_url,
        lineitem_url=row.resource_link.line_item_url if row.resource_link else None,
    )
    client = AgsClient(http, tokens, platform_config(context.platform), endpoint)
    if row.kind == "readiness":
        if not context.readiness_line_item_url:
            item: LineItem = client.ensure_line_item(readiness_line_item(context.course_id, context.title or ""))
            context.readiness_line_item_url = item.id
        line_item_url = context.readiness_line_item_url
    else:
        line_item_url = endpoint.lineitem_url
    if not line_item_url:
        raise ServiceError("no line item to send the score to")
    client.post_score(line_item_url, percent_score(row.lti_user_id, row.score, row.graded_at))


def record(row: LtiGradeOutbox, error: ServiceError | None, now: datetime) -> Delivery:
    """Mark a sent row delivered, or schedule another try, or mark it failed (flush only)."""
    if error is None:
        row.status, row.delivered_at, row.last_error = "delivered", now, None
    elif POLICY.should_retry(error, row.tries):
        row.next_attempt_at = now + timedelta(seconds=POLICY.delay(row.tries))
        row.last_error = f"{error.code}: {error.detail}"[:500]
    else:
        row.status, row.last_error = "failed", f"{error.code}: {error.detail}"[:500]
    db.session.flush()
    return Delivery(row.id, row.status, row.last_error)


def resend(user_id: int, context_ids: Sequence[int]) -> int:
    """Queue again a learner's failed or pending scores in these contexts for delivery now; return how many."""
    return db.session.execute(
        update(LtiGradeOutbox)
        .where(
            LtiGradeOutbox.user_id == user_id,
            LtiGradeOutbox.context_id.in_(context_ids),
            LtiGradeOutbox.status != "delivered",
        )
        .values(status="pending", next_attempt_at=utcnow(), tries=0)
        .execution_options(synchronize_session=False)
    ).rowcount


def grades_for(user_id: int, course_id: str) -> list[LtiGradeOutbox]:
    """The learner's scores for the course's platforms, newest first, to show whether each reached the gradebook."""
    return list(
        db.session.execute(
            select(LtiGradeOutbox)
            .join(LtiContext, LtiContext.id == LtiGradeOutbox.context_id)
            .where(LtiGradeOutbox.user_id == user_id, LtiContext.course_id == course_id)
            .order_by(LtiGradeOutbox.id.desc())
            .limit(20)
        ).scalars()
    )
