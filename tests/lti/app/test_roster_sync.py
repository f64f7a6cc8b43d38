"""Names and Role Provisioning: the platform's members (both pages) become enrollments; leavers go inactive."""

from __future__ import annotations

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
