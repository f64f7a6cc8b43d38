"""The shared analysis cache: per process by default; with TEST_REDIS_URL, the same tests on a real Redis,
where two app instances (two servers behind a load balancer) share what one computed."""

import os
import uuid

import pytest

from lms import create_app
from lms.extensions import db
from lms.services.analysis import cached_quiz_analysis

from ..conftest import MINI_PACK
from ..helpers import counting

REDIS_URL = os.environ.get("TEST_REDIS_URL")
BACKENDS = ["simple", pytest.param("redis", marks=pytest.mark.skipif(not REDIS_URL, reason="set TEST_REDIS_URL"))]


@pytest.fixture(params=BACKENDS)
def app_config(request):
    config = {"COURSE_PACK_PATH": str(MINI_PACK)}
    if request.param == "redis":
        # A prefix of its own: runs sharing the server never see each other's entries.
        config |= {"CACHE_URL": REDIS_URL, "CACHE_KEY_PREFIX": f"lms-test-{uuid.uuid4().hex[:8]}:"}
    return config


def test_the_cache_backend_follows_the_settings(app, app_config):
    backend = type(app.extensions["cache"][next(iter(app.extensions["cache"]))]).__name__
    assert backend == ("RedisCache" if "CACHE_URL" in app_config else "SimpleCache")


@pytest.fixture
def graded(make_user, make_attempt, enrollment_of):
    for n, credit in enumerate((1.0, 0.0, 1.0)):
        enrollment = enrollment_of(make_user(f"Learner {n}", f"cache{n}@example.org"))
        make_attempt(enrollment, "alpha", [("alpha-red", True, credit), ("alpha-green-false", False, 1.0)])


def analysis_statements(course, cohort_ids=None) -> tuple:
    with counting(db.engine) as statements:
        analysis = cached_quiz_analysis(course, course.lesson("alpha"), "first", cohort_ids)
    return analysis, len(statements)


def test_an_unchanged_quiz_is_served_from_the_cache_until_an_attempt_arrives(
    app, course, graded, make_user, make_attempt, enrollment_of
):
    first, computed = analysis_statements(course)
    again, cached = analysis_statements(course)
    assert again == first and cached == 1 < computed, "only the watermark is read"
    enrollment = enrollment_of(make_user("Late", "late@example.org"))
    make_attempt(enrollment, "alpha", [("alpha-red", True, 1.0), ("alpha-green-false", False, 1.0)])
    fresh, recomputed = analysis_statements(course)
    assert fresh.attempts == first.attempts + 1 and recomputed == computed


def test_each_cohort_has_its_own_entry(app, course, graded, enrollment_of, learner):
    everyone, _ = analysis_statements(course)
    nobody, computed = analysis_statements(course, frozenset({-1}))
    assert computed > 1 and nobody.attempts == 0 and everyone.attempts == 3


@pytest.mark.skipif(not REDIS_URL, reason="set TEST_REDIS_URL to run the cache tests against a real Redis")
def test_two_app_servers_share_one_redis_cache(app, app_config, course, graded):
    if "CACHE_URL" not in app_config:
        pytest.skip("a per-process cache is not shared, by design")
    first, computed = analysis_statements(course)
    other = create_app(dict(app.config))  # another server process: its own app, the same Redis
    with other.app_context():
        again, cached = analysis_statements(other.extensions["lms.catalog"].default)
        db.session.remove()
        db.engine.dispose()
    assert again == first and cached == 1 < computed
