"""Names and Role Provisioning: the platform's members (both pages) become enrollments; leavers go inactive."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.lti.roles import MEMBERSHIP
from lms.models import Enrollment, LtiContext, UserIdentity

from .conftest import COURSE


def _member(user_id: str, role: str = "Learner", status: str = "Active") -> dict:
    return {"user_id": user_id, "roles": [MEMBERSHIP + role], "name": f"Member {user_id}", "status": status}


def _enrollments() -> dict[str, tuple[str, bool]]:
    db.session.expire_all()
    rows = db.session.execute(
        select(UserIdentity.subject, Enrollment.role, Enrollment.active).join(
            Enrollment, Enrollment.user_id == UserIdentity.user_id
        )
    ).all()
    return {subject: (role, active) for subject, role, active in rows}


def test_an_instructor_launch_syncs_the_roster_and_the_button_marks_leavers_inactive(app, lti, platform):
    platform.members = [_member("teacher-1", "Instructor"), _member("learner-2"), _member("learner-3")]
    platform.user_sub, platform.user_roles = "teacher-1", (MEMBERSHIP + "Instructor",)
    client = app.test_client()
    assert lti.launch(client).status_code == 302
    assert _enrollments() == {
        "teacher-1": ("instructor", True),
        "learner-2": ("learner", True),
        "learner-3": ("learner", True),
    }
    cohort_id = db.session.execute(select(LtiContext.cohort_id)).scalar_one()
    assert {row.cohort_id for row in db.session.execute(select(Enrollment)).scalars()} == {cohort_id}
    page = client.get(f"/courses/{COURSE}/instructor/").get_data(as_text=True)
    assert "Sync roster from the LMS" in page and "Member learner-3" in page

    platform.members = [_member("teacher-1", "Instructor"), _member("learner-2", status="Inactive")]
    response = client.post(f"/courses/{COURSE}/instructor/roster/sync")
    assert response.status_code == 302
    assert _enrollments() == {
        "teacher-1": ("instructor", True),
        "learner-2": ("learner", False),
        "learner-3": ("learner", False),
    }


def test_a_second_instructor_launch_soon_after_does_not_sync_again(app, lti, platform):
    platform.members = [_member("teacher-1", "Instructor")]
    platform.user_sub, platform.user_roles = "teacher-1", (MEMBERSHIP + "Instructor",)
    assert lti.launch(app.test_client()).status_code == 302
    platform.members.append(_member("learner-9"))
    assert lti.launch(app.test_client()).status_code == 302
    assert "learner-9" not in _enrollments()


def test_a_platform_without_its_roster_does_not_break_the_launch(app, lti, platform):
    platform.user_sub, platform.user_roles = "teacher-1", (MEMBERSHIP + "Instructor",)
    platform.tool_jwks_url = "http://127.0.0.1:9/nowhere"  # the token endpoint cannot check the tool: 401
    assert lti.launch(app.test_client()).status_code == 302
    assert _enrollments() == {"teacher-1": ("instructor", True)}


def _left_roster(app, lti, platform):
    """An instructor's client after a sync in which learner-3 left the platform's course (learner-2 stays)."""
    platform.members = [_member("teacher-1", "Instructor"), _member("learner-2"), _member("learner-3")]
    platform.user_sub, platform.user_roles = "teacher-1", (MEMBERSHIP + "Instructor",)
    client = app.test_client()
    assert lti.launch(client).status_code == 302
    platform.members = [_member("teacher-1", "Instructor"), _member("learner-2")]
    assert client.post(f"/courses/{COURSE}/instructor/roster/sync").status_code == 302
    return client


def _names(page: str) -> list[str]:
    return sorted(set(re.findall(r">(Member learner-\d)</a>", page)))


def _enrolled_tile(page: str) -> int:
    return int(re.search(r'Enrolled</span> <span class="stat-value">(\d+)<', page).group(1))


@pytest.mark.parametrize(
    ("query", "names", "enrolled", "marked"),
    [
        ("", ["Member learner-2"], 1, False),  # active members by default
        ("?members=active", ["Member learner-2"], 1, False),
        ("?members=left", ["Member learner-3"], 1, True),
        ("?members=all", ["Member learner-2", "Member learner-3"], 2, True),
    ],
)
def test_the_roster_shows_and_filters_members_who_left(app, lti, platform, query, names, enrolled, marked):
    client = _left_roster(app, lti, platform)
    page = client.get(f"/courses/{COURSE}/instructor/{query}").get_data(as_text=True)
    assert _names(page) == names
    assert _enrolled_tile(page) == enrolled  # the statistics count the members shown
    assert ('<span class="badge badge-muted">Left the LMS course</span>' in page) is marked
    assert re.search(r'<option[^>]* value="left">Left the LMS course</option>', page)
    if query:
        # Links of the page (tiles, sorting, export) keep the members chosen.
        assert f"members={query.removeprefix('?members=')}" in page


@pytest.mark.parametrize(
    ("query", "rows"),
    [
        ("", {"Member learner-2": "no"}),
        ("?members=left", {"Member learner-3": "yes"}),
        ("?members=all", {"Member learner-2": "no", "Member learner-3": "yes"}),
    ],
)
def test_the_roster_csv_follows_the_members_filter(app, lti, platform, query, rows):
    client = _left_roster(app, lti, platform)
    response = client.get(f"/courses/{COURSE}/instructor/export/roster.csv{query}")
    found = {
        row["name"]: row["left_lms_course"] for row in csv.DictReader(io.StringIO(response.get_data(as_text=True)))
    }
    assert found == rows


def test_an_unknown_members_filter_is_refused(app, lti, platform):
    client = _left_roster(app, lti, platform)
    assert client.get(f"/courses/{COURSE}/instructor/?members=gone").status_code == 400


def test_the_learner_page_says_the_learner_left(app, lti, platform):
    client = _left_roster(app, lti, platform)
    query = select(Enrollment.id).join(UserIdentity, UserIdentity.user_id == Enrollment.user_id)
    left = db.session.execute(query.where(UserIdentity.subject == "learner-3")).scalar_one()
    page = client.get(f"/courses/{COURSE}/instructor/learners/{left}").get_data(as_text=True)
    assert "Left the LMS course</span> The course platform no longer" in page


def test_a_launch_by_a_member_who_left_makes_them_active_again(app, lti, platform):
    client = _left_roster(app, lti, platform)
    assert _enrollments()["learner-3"] == ("learner", False)
    platform.user_sub, platform.user_roles = "learner-3", (MEMBERSHIP + "Learner",)
    assert lti.launch(app.test_client()).status_code == 302
    assert _enrollments()["learner-3"] == ("learner", True)
    page = client.get(f"/courses/{COURSE}/instructor/").get_data(as_text=True)
    assert _enrolled_tile(page) == 2  # listed among the active members again
    assert '<span class="badge badge-muted">Left the LMS course</span>' not in page
