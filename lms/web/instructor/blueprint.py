"""The instructor blueprint: staff of the URL's course only, and only instructors change anything."""

from flask import Blueprint

from ..access import staff_guard
from ..course_scope import COURSE_PREFIX

bp = Blueprint("instructor", __name__, url_prefix=COURSE_PREFIX + "/instructor")
# On every instructor route, present and future: a view cannot forget it.
bp.before_request(staff_guard)
