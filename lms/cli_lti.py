"""`flask lms lti ...`: register platforms, print a dynamic-registration URL, deliver grades, write a cartridge."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from .cli_outbox import run_outbox_worker, worker_options
from .extensions import cache, db
from .lti.cartridge import CartridgeLink, cartridge
from .lti.config import ToolConfig
from .lti.errors import ServiceError
from .lti.tokens import TokenClient
from .lti.transport import HttpClient
from .models import LtiGradeOutbox, utcnow
from .services.lti.keys import current_key, rotate_key_file
from .services.lti.outbox import Delivery, claim_due, record, send
from .services.lti.platforms import PlatformDetails, PlatformProblem, add_platform, platforms, remove_platform
from .services.lti.registrations import new_registration_token

lti = AppGroup("lti", help="LTI 1.3: platforms, registration, grade delivery, cartridges.")


def _base_url(base_url: str | None) -> str:
    """Where platforms reach the tool: --base-url, else LTI_BASE_URL; raises UsageError without either."""
    url = base_url or current_app.config.get("LTI_BASE_URL")
    if not url:
        raise click.UsageError("Give --base-url (or set LTI_BASE_URL), e.g. https://academy.example")
    return url.rstrip("/")


def _course_id(course_id: str | None) -> str | None:
    """The course named, checked against the catalog; raises UsageError for an unknown one."""
    if course_id is not None and course_id not in current_app.extensions["lms.catalog"]:
        raise click.UsageError(f"There is no course {course_id!r}.")
    return course_id


@lti.command("registration-url")
@click.option("--course", "course_id", help="The course that launches open when a link names none.")
@click.option("--base-url", help="The tool's public address (default: LTI_BASE_URL).")
@click.option("--hours", default=24, show_default=True, type=click.IntRange(1, 24 * 14), help="How long it works.")
def registration_url(course_id: str | None, base_url: str | None, hours: int) -> None:
    """Print a one-time, expiring URL for LTI Dynamic Registration (Moodle 4.1+, Canvas)."""
    base = _base_url(base_url)
    token = new_registration_token(_course_id(course_id), timedelta(hours=hours))
    db.session.commit()
    click.echo(f"{base}/lti/register/{token}")
    click.echo(f"It works once, for {hours} hours.", err=True)


@lti.command("add-platform")
@click.option("--issuer", required=True, help="The platform's issuer (iss), e.g. https://moodle.school.edu")
@click.option("--client-id", required=True, help="The client id the platform gave the tool.")
@click.option("--deployment-id", "deployment_ids", multiple=True, help="A deployment id (repeat for several).")
@click.option("--auth-url", required=True, help="The platform's OIDC authorization URL.")
@click.option("--token-url", required=True, help="The platform's OAuth2 token URL.")
@click.option("--jwks-url", required=True, help="The platform's public keyset URL.")
@click.option("--token-audience", help="The audience the token endpoint wants (Brightspace), if not its URL.")
@click.option("--course", "course_id", help="The course that launches open when a link names none.")
def add_platform_command(
    issuer, client_id, deployment_ids, auth_url, token_url, jwks_url, token_audience, course_id
) -> None:
    """Register a platform by hand (Brightspace, Blackboard, or any LMS without dynamic registration)."""
    details = PlatformDetails(
        issuer=issuer,
        client_id=client_id,
        auth_login_url=auth_url,
        auth_token_url=token_url,
        jwks_url=jwks_url,
        deployment_ids=tuple(deployment_ids),
        token_audience=token_audience,
        course_id=_course_id(course_id),
    )
    try:
        platform = add_platform(details)
    except PlatformProblem as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Platform {platform.id} registered: {platform.issuer} (client id {platform.client_id}).")


@lti.command("list")
def list_platforms() -> None:
    """List the registered platforms with their deployments."""
    rows = platforms()
    if not rows:
        click.echo("No platform is registered.")
    for platform in rows:
        deployments = ", ".join(d.deployment_id for d in platform.deployments) or "no deployment yet"
        click.echo(f"{platform.id}\t{platform.issuer}\tclient {platform.client_id}\t{deployments}")


@lti.command("remove")
@click.argument("platform_id", type=int)
@click.confirmation_option(prompt="Remove the platform with its contexts and undelivered grades?")
def remove(platform_id: int) -> None:
    """Remove a registered platform (its learners' accounts and records stay)."""
    if not remove_platform(platform_id):
        raise click.ClickException(f"There is no platform {platform_id}.")
    db.session.commit()
    click.echo(f"Platform {platform_id} removed.")


def deliver_batch(limit: int = 50) -> list[Delivery]:
    """Claim due scores (committed, so other workers skip them), send each, and commit each outcome."""
    ids = claim_due(utcnow(), limit)
    db.session.commit()
    if not ids:
        return []
    http = HttpClient()
    key = current_key(current_app.config["LTI_PRIVATE_KEY"], Path(current_app.config["LTI_KEY_FILE"]))
    tokens = TokenClient(http, cache, key)
    deliveries = []
    for row_id in ids:
        row = db.session.get(LtiGradeOutbox, row_id)
        error = None
        try:
            send(row, http, tokens)
        except ServiceError as failure:
            error = failure
        deliveries.append(record(row, error, utcnow()))
        db.session.commit()
    return deliveries


@lti.command("deliver")
@worker_options("scores")
def deliver(loop: bool, interval: float, limit: int) -> None:
    """Send the due scores of the grade outbox to the platforms; safe to run several at once.

    With --loop, a database outage does not stop the worker: it tries again after the interval.
    """
    run_outbox_worker(
        deliver_batch, _describe, loop=loop, interval=interval, limit=limit, nothing_due="No score is due."
    )


def _describe(delivery: Delivery) -> str:
    return f"score {delivery.row_id}: {delivery.status}" + (f" ({delivery.error})" if delivery.error else "")


@lti.command("cartridge")
@click.option("--course", "course_id", help="The course (default: the catalog's default course).")
@click.option("--base-url", help="The tool's public address (default: LTI_BASE_URL).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="File to write (.imscc).")
def cartridge_command(course_id: str | None, base_url: str | None, output: str | None) -> None:
    """Write a thin IMS Common Cartridge 1.3 with one LTI 1.3 link per lesson, for hosts that import links."""
    catalog = current_app.extensions["lms.catalog"]
    course = catalog[_course_id(course_id)] if course_id else catalog.default
    tool = ToolConfig.at(_base_url(base_url), "Office Manager Academy", course.title)
    links = [
        CartridgeLink(
            title=lesson.title,
            url=tool.launch_url,
            custom={"course_id": course.id, "lesson_id": lesson.id, "target": "lesson"},
            description=lesson.summary,
        )
        for lesson in course.lessons
    ]
    path = Path(output or f"{course.id}.imscc")
    path.write_bytes(cartridge(course.title, links, tool))
    click.echo(f"Wrote {path} with {len(links)} links.")


@lti.command("rotate-key")
@click.option("--keep-days", default=7, show_default=True, type=click.IntRange(2, 365), help="Publish the old key.")
def rotate_key(keep_days: int) -> None:
    """Sign with a new key in LTI_KEY_FILE; the old public key stays in the JWKS for --keep-days."""
    if current_app.config["LTI_PRIVATE_KEY"]:
        raise click.ClickException("The key comes from LTI_PRIVATE_KEY: rotate it there (see docs/lti.md).")
    new = rotate_key_file(Path(current_app.config["LTI_KEY_FILE"]), timedelta(days=keep_days))
    db.session.commit()
    click.echo(f"Signing with key {new.kid}; the old key stays published for {keep_days} days.")
