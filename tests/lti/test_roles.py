"""LTI roles, in every spelling platforms send, mapped to course roles."""

from __future__ import annotations

import pytest

from lms.lti.roles import INSTITUTION, MEMBERSHIP, SYSTEM, TEACHING_ASSISTANT_SUBROLE, CourseRole, course_role

INS, TA, LRN = CourseRole.INSTRUCTOR, CourseRole.ASSISTANT, CourseRole.LEARNER


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([MEMBERSHIP + "Instructor"], INS),
        ([MEMBERSHIP + "ContentDeveloper"], INS),
        ([MEMBERSHIP + "Administrator"], INS),
        ([MEMBERSHIP + "TeachingAssistant"], TA),
        ([MEMBERSHIP + "Learner"], LRN),
        (["Instructor"], INS),
        (["ContentDeveloper"], INS),
        (["Administrator"], INS),
        (["TeachingAssistant"], TA),
        (["Learner"], LRN),
        (["urn:lti:role:ims/lis/Instructor"], INS),
        (["urn:lti:role:ims/lis/Learner"], LRN),
        ([MEMBERSHIP + "Instructor", TEACHING_ASSISTANT_SUBROLE], TA),
        ([TEACHING_ASSISTANT_SUBROLE], TA),
        ([MEMBERSHIP + "Instructor", TEACHING_ASSISTANT_SUBROLE, MEMBERSHIP + "ContentDeveloper"], INS),
        (["http://purl.imsglobal.org/vocab/lis/v2/membership/Learner#Learner"], LRN),
        (["http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#Grader"], INS),
        ([MEMBERSHIP + "Learner", MEMBERSHIP + "Instructor"], INS),
        ([INSTITUTION + "Instructor", MEMBERSHIP + "Learner"], LRN),
        ([INSTITUTION + "Administrator"], INS),
        ([INSTITUTION + "Faculty"], INS),
        ([INSTITUTION + "Student"], LRN),
        ([INSTITUTION + "Learner"], LRN),
        (["urn:lti:instrole:ims/lis/Administrator"], INS),
        ([SYSTEM + "Administrator"], INS),
        ([SYSTEM + "SysAdmin", INSTITUTION + "Student"], INS),
        ([MEMBERSHIP + "Mentor"], None),
        ([INSTITUTION + "Guest"], None),
        ([], None),
        ([" ", ""], None),
        ([f" {MEMBERSHIP}Learner "], LRN),
    ],
)
def test_lti_roles_map_to_course_roles(roles, expected):
    assert course_role(roles) == expected
