"""When the browser blocks the tool's cookies in the platform's frame: the platform's storage, else a new window."""

from __future__ import annotations

from functools import partial
from urllib.parse import urlsplit

from flask import current_app, redirect, render_template, request, url_for

from ...lti.config import PlatformConfig
from ...lti.login import AuthRedirect
from ...lti.storage import nonce_key, state_key, storage_state
from . import STATE_COOKIE, STATE_TTL

PROBE_COOKIE = "lti_cookies"
CHECK_PARAM = "lti_cookie_check"
# Parameters of the platform's login request that a new window sends again (ours are left out).
OWN_PARAMS = (CHECK_PARAM, "lti_storage_target")


def set_launch_cookie(response, name: str, path: str) -> None:
    """A cookie the launch needs across the platform's redirects: cross-site, partitioned, ten minutes."""
    response.set_cookie(
        name,
        "1",
        max_age=STATE_TTL,
        path=path,
        secure=current_app.config["LTI_COOKIE_SECURE"],
        httponly=True,
        samesite="None",
        partitioned=True,
    )


def set_state_cookie(response, state: str) -> None:
    """The cookie that ties the launch's state to this browser."""
    set_launch_cookie(response, STATE_COOKIE + state, url_for("lti.launch"))


def cookies_kept() -> bool:
    """Whether this browser sent back the probe cookie of an earlier login step (so it keeps our cookies here)."""
    return request.cookies.get(PROBE_COOKIE) == "1"


def probe(params: dict[str, str]):
    """Set the probe cookie and come back to the login URL, marked, to see whether the browser kept it."""
    response = redirect(url_for("lti.login", **{**params, CHECK_PARAM: "1"}))
    set_launch_cookie(response, PROBE_COOKIE, url_for("lti.login"))
    return response


def new_window_page(params: dict[str, str]):
    """The page with one button that starts the same login again in a new window, where our cookies are first-party."""
    fields = {name: value for name, value in params.items() if name not in OWN_PARAMS}
    return render_template("lti/new_window.html", href=url_for("lti.login", **fields), handoff=False)


def storage_secret() -> bytes:
    """The key that binds storage states to their nonce: the app's SECRET_KEY."""
    key = current_app.secret_key
    return key if isinstance(key, bytes) else str(key).encode()


def state_for_storage():
    """A state maker for logins that keep the state in the platform's storage (bound to the nonce)."""
    return partial(storage_state, storage_secret())


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def storage_login_page(auth: AuthRedirect, params: dict[str, str], target: str):
    """The page that stores the state and nonce in the platform's frame, then goes on to the platform.

    The state cookie is set too, so a browser that keeps it launches as usual; if the platform's storage
    does not answer, the page falls back to the cookie check (and from there to the new-window page).
    """
    fallback = {name: value for name, value in params.items() if name != "lti_storage_target"}
    response = current_app.make_response(
        render_template(
            "lti/storage_login.html",
            auth_url=auth.url,
            state=auth.state,
            nonce=auth.nonce,
            state_key=state_key(auth.state),
            nonce_key=nonce_key(auth.nonce),
            platform_origin=_origin(auth.platform.auth_login_url),
            storage_target=target,
            fallback_url=url_for("lti.login", **{**fallback, CHECK_PARAM: "1"}),
        )
    )
    set_state_cookie(response, auth.state)
    set_launch_cookie(response, PROBE_COOKIE, url_for("lti.login"))
    response.headers["Cache-Control"] = "no-store"
    return response


def storage_launch_page(id_token: str, state: str, platform: PlatformConfig, nonce: str):
    """The page that reads the state and nonce back from the platform's frame and, if they match, posts on.

    It sets the state cookie again: whether it comes back with the post on tells whether this browser
    keeps our cookies in the frame now (see `launch_cookie_kept`).
    """
    response = current_app.make_response(
        render_template(
            "lti/storage_launch.html",
            id_token=id_token,
            state=state,
            nonce=nonce,
            state_key=state_key(state),
            nonce_key=nonce_key(nonce),
            platform_origin=_origin(platform.auth_login_url),
        )
    )
    set_state_cookie(response, state)
    response.headers["Cache-Control"] = "no-store"
    return response


def launch_cookie_kept(state: str) -> bool:
    """Whether the post to /lti/launch/storage brought the state cookie the storage launch page set (path /lti/launch).

    It is set with the session cookie's attributes (SameSite=None; Secure; Partitioned), so a browser
    that sends it back keeps the session cookie in this frame too; one that drops it needs the hand-off.
    """
    return request.cookies.get(STATE_COOKIE + state) == "1"


def posted_by_this_tool() -> bool:
    """Whether one of this tool's own pages sent the request (the browser's Origin header, which pages cannot forge)."""
    return request.headers.get("Origin") == request.host_url.rstrip("/")
