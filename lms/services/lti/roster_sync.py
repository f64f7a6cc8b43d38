"""Names and Role Provisioning: a platform's members become enrollments of the cohort; leavers go inactive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from ...domain.catalog import Catalog
from ...extensions import db
from ...lti.messages import NrpsEndpoint
from ...lti.nrps import NrpsClient
from ...lti.tokens import TokenClient
from ...lti.transport import HttpClient
from ...models import Cohort, Enrollment, LtiContext, LtiPlatform, UserIdentity
from ..enrollments import enroll_in_cohort
from ..identities import account_for_identity
from ..progress import enrollment_for
from .platforms import platform_config


@dataclass(frozen=True)
class SyncResult:
    """How many members the sync saw, enrolled anew, and marked inactive."""

    members: int
    enrolled: int
    inactive: int


def contexts_of_cohorts(cohort_ids: list[int] | None, course_id: str) -> list[LtiContext]:
    """The course's LTI contexts (those of these cohorts when given) that offer a roster."""
    query = select(LtiContext).where(LtiContext.course_id == course_id, LtiContext.memberships_url.is_not(None))
    if cohort_ids is not None:
        query = query.where(LtiContext.cohort_id.in_(cohort_ids))
    return list(db.session.execute(query).scalars())


def sync_due(context: LtiContext, every: timedelta, now: datetime) -> bool:
    """Whether the context's roster was last synced longer ago than `every`."""
    return context.roster_synced_at is None or context.roster_synced_at <= now - every


def sync_roster(context: LtiContext, catalog: Catalog, http: HttpClient, tokens: TokenClient, now: datetime):
    """Read every page of the members and apply them (flush only); raises ServiceError, writing nothing."""
    platform: LtiPlatform = context.platform
    membership = NrpsClient(http, tokens, platform_config(platform)).membership(
        NrpsEndpoint(context_memberships_url=context.memberships_url or "", service_versions=("2.0",))
    )
    course = catalog[context.course_id]
    cohort = db.session.get(Cohort, context.cohort_id)
    enrolled = 0
    active_users: set[int] = set()
    for member in membership.members:
        if not member.active or member.course_role is None:
            continue
        name = member.name or " ".join(filter(None, (member.given_name, member.family_name))) or member.user_id
        user, _ = account_for_identity(platform.issuer, member.user_id, name, member.email)
        existing = enrollment_for(user.id, course.id)
        if existing is None:
            enroll_in_cohort(user.id, course, cohort, str(member.course_role))
            enrolled += 1
        elif existing.cohort_id == cohort.id:
            existing.active = True
        active_users.add(user.id)
    # Members of this cohort known to this platform and no longer listed (or listed inactive) left.
    from_platform = select(UserIdentity.user_id).where(UserIdentity.issuer == platform.issuer)
    left = db.session.execute(
        update(Enrollment)
        .where(
            Enrollment.cohort_id == cohort.id,
            Enrollment.user_id.in_(from_platform),
            Enrollment.user_id.not_in(active_users) if active_users else Enrollment.user_id.is_not(None),
            Enrollment.active.is_(True),
        )
        .values(active=False)
        .execution_options(synchronize_session=False)
    ).rowcount
    context.roster_synced_at = now
    db.session.flush()
    return SyncResult(len(membership.members), enrolled, left)
