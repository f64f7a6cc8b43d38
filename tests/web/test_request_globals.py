"""The request globals read directly are the objects Flask's and Flask-Login's proxies give."""

from flask import current_app, g, request, session
from flask_login import current_user

from lms.web.request_globals import (
    app_globals,
    current_flask_app,
    current_request,
    loaded_user,
    request_session,
    signed_in_user,
)


def test_each_is_its_proxys_object(app, learner, learner_client):
    seen = {}

    @app.get("/_probe_request_globals")
    def probe():
        before_loading = signed_in_user()  # the first read loads the user, as current_user's does
        seen["user"] = (before_loading, signed_in_user(), current_user._get_current_object())
        seen["who"] = (before_loading.is_authenticated, getattr(before_loading, "id", None))
        seen["others"] = [
            (app_globals(), g._get_current_object()),
            (current_flask_app(), current_app._get_current_object()),
        ]
        seen["others"].append((request_session(), session._get_current_object()))
        seen["others"].append((current_request(), request._get_current_object()))
        return "ok"

    for client, signed_in in ((learner_client, True), (app.test_client(), False)):
        assert client.get("/_probe_request_globals").status_code == 200
        first, second, proxied = seen["user"]
        assert first is second is proxied
        assert seen["who"] == ((True, learner.id) if signed_in else (False, None))
        assert all(direct is proxied for direct, proxied in seen["others"])


def test_no_user_outside_a_request(app):
    with app.app_context():
        assert signed_in_user() is None and current_user._get_current_object() is None


def test_the_loaded_user_is_none_until_flask_login_loads_it(app, learner, learner_client):
    seen = []

    @app.get("/_probe_loaded_user")
    def probe():
        seen.append(loaded_user())
        seen.append(current_user._get_current_object())  # Flask-Login loads the user here
        seen.append(loaded_user())
        seen.append(seen[-1].id)
        return "ok"

    assert learner_client.get("/_probe_loaded_user").status_code == 200
    before, loaded, after, user_id = seen
    assert before is None and after is loaded and user_id == learner.id
