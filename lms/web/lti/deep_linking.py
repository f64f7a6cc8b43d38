"""Deep Linking 2.0: the picker an instructor sees when adding the tool in a platform, and the signed response."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, make_response, render_template, request, session

from ...domain.course import Course
from ...lti import claims as c
from ...lti.deep_linking import ResourceLinkItem, response_form, response_jwt
from ...lti.errors import DeepLinkingError
from ...lti.grades import lesson_line_item
from ...lti.messages import DeepLinkingSettings, LaunchMessage
from ..course_scope import catalog
from ..forms import ActionForm
from ..security import allowed_frame_ancestors, content_security_policy
from . import bp, keyset, refusal, tool_config

SESSION_KEY = "lti_deep_link"


def remember_request(message: LaunchMessage) -> None:
    """Keep what the response needs in this (LTI) session while the instructor picks."""
    settings = message.deep_linking
    if settings is None:
        raise DeepLinkingError("not a deep-linking request")
    session.clear()
    session["lti"] = {"iss": message.issuer, "context": None}
    session[SESSION_KEY] = {
        "iss": message.issuer,
        "client_id": message.client_id,
        "deployment_id": message.deployment_id,
        "return_url": settings.return_url,
        "accept_types": list(settings.accept_types),
        "accept_multiple": settings.accept_multiple,
        "data": settings.data,
        "course_id": message.custom.get("course_id"),
    }


def _request_from_session() -> LaunchMessage:
    """The deep-linking request kept at launch; 403 when this browser has none."""
    kept = session.get(SESSION_KEY)
    if not kept:
        abort(403, description="Open the content picker from your course platform.")
    settings = DeepLinkingSettings(
        return_url=kept["return_url"],
        accept_types=tuple(kept["accept_types"]),
        accept_multiple=kept["accept_multiple"],
        data=kept["data"],
    )
    return LaunchMessage(
        message_type=c.DEEP_LINKING_REQUEST,
        issuer=kept["iss"],
        client_id=kept["client_id"],
        deployment_id=kept["deployment_id"],
        subject="",
        roles=(),
        course_role=None,
        target_link_uri=None,
        deep_linking=settings,
    )


def _courses() -> list[Course]:
    """The courses offered: the one the link names, else all of them."""
    kept = session.get(SESSION_KEY) or {}
    course = catalog().get(kept.get("course_id") or "")
    return [course] if course is not None else list(catalog().values())


def content_item(choice: str) -> ResourceLinkItem | None:
    """The resource link for a picked value (course:ID, lesson:ID:LESSON, quiz:ID:LESSON); None when unknown."""
    kind, _, rest = choice.partition(":")
    course_id, _, lesson_id = rest.partition(":")
    course = catalog().get(course_id)
    if course is None:
        return None
    url = tool_config().launch_url
    if kind == "course" and not lesson_id:
        return ResourceLinkItem(title=course.title, url=url, custom={"course_id": course.id, "target": "course"})
    lesson = course.lesson(lesson_id)
    if lesson is None or kind not in ("lesson", "quiz"):
        return None
    title = lesson.title if kind == "lesson" else f"Quiz: {lesson.title}"
    return ResourceLinkItem(
        title=title,
        url=url,
        custom={"course_id": course.id, "lesson_id": lesson.id, "target": kind},
        line_item=lesson_line_item(course.id, lesson.id, title),
    )


@bp.route("/deep-link", methods=["GET", "POST"])
def pick():
    """The picker (whole course, lessons, quizzes) and, on submit, the signed response posted back to the platform."""
    message = _request_from_session()
    form = ActionForm()
    multiple = bool(message.deep_linking and message.deep_linking.accept_multiple)
    if request.method == "GET" or not form.validate_on_submit():
        if request.method == "POST":
            abort(400, description="The form expired; open the picker again from your course platform.")
        return render_template("lti/pick.html", courses=_courses(), multiple=multiple, form=form)
    choices = request.form.getlist("item")
    items = [content_item(choice) for choice in choices]
    if not choices or any(item is None for item in items):
        return render_template(
            "lti/pick.html", courses=_courses(), multiple=multiple, form=form, problem="Pick at least one item."
        ), 400
    try:
        token = response_jwt(message, [item for item in items if item is not None], keyset().current)
    except DeepLinkingError as error:
        return refusal(error.code, error.detail)
    session.pop(SESSION_KEY, None)
    answer = response_form(message, token)
    response = make_response(render_template("lti/deep_link_return.html", form=answer))
    # The form posts to the platform: allow exactly that origin as a form target on this page.
    parts = urlsplit(answer.action)
    policy = content_security_policy(allowed_frame_ancestors()).replace(
        "form-action 'self'", f"form-action 'self' {parts.scheme}://{parts.netloc}"
    )
    response.headers["Content-Security-Policy"] = policy
    return response
