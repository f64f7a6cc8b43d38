"""Outgoing mail through Flask-Mailman: an SMTP server from MAIL_URL or MAIL_SERVER..., else the console."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qs, unquote, urlsplit

from flask import Flask
from flask_mailman import EmailMessage, Mail

from .config import ConfigError

mail = Mail()

_TRUE = {"1", "true", "yes", "on"}


def settings_from_url(url: str) -> dict:
    """Turn smtp://user:pass@host:587/?tls=1 (or smtps://... for SSL) into Flask-Mailman's MAIL_* settings."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigError(f"MAIL_URL must look like smtp://user:password@host:587/?tls=1, not {parts.scheme}://...")
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"tls", "ssl", "sender", "timeout"}
    if unknown:
        raise ConfigError(
            f"MAIL_URL has unknown options: {', '.join(sorted(unknown))} (known: tls, ssl, sender, timeout)"
        )
    use_ssl = parts.scheme == "smtps" or query.get("ssl", "").lower() in _TRUE
    use_tls = not use_ssl and query.get("tls", "").lower() in _TRUE
    try:
        port = parts.port or (465 if use_ssl else 587 if use_tls else 25)
    except ValueError as error:
        raise ConfigError(f"MAIL_URL has a bad port: {error}") from None
    settings = {
        "MAIL_SERVER": parts.hostname,
        "MAIL_PORT": port,
        "MAIL_USERNAME": unquote(parts.username) if parts.username else None,
        "MAIL_PASSWORD": unquote(parts.password) if parts.password else None,
        "MAIL_USE_TLS": use_tls,
        "MAIL_USE_SSL": use_ssl,
    }
    if "sender" in query:
        settings["MAIL_DEFAULT_SENDER"] = query["sender"]
    if "timeout" in query:
        try:
            settings["MAIL_TIMEOUT"] = float(query["timeout"])
        except ValueError:
            raise ConfigError(f"MAIL_URL's timeout={query['timeout']!r} is not a number of seconds") from None
    return settings


def mail_settings(config: Mapping) -> dict:
    """Return the MAIL_* settings Flask-Mailman needs, MAIL_URL winning over the single settings.

    With no server: the console in development (mails are printed), Flask-Mailman's in-memory
    outbox in testing, and an SMTP server on localhost:25 (a local mail relay) in production.
    """
    settings = {name: config.get(name) for name in config if name.startswith("MAIL_")}
    if config.get("MAIL_URL"):
        settings.update(settings_from_url(config["MAIL_URL"]))
    if settings.get("MAIL_USE_TLS") and settings.get("MAIL_USE_SSL"):
        raise ConfigError("MAIL_USE_TLS and MAIL_USE_SSL cannot both be on: STARTTLS on 587, or SSL on 465")
    settings.setdefault("MAIL_TIMEOUT", 10)  # seconds: a hung mail server must not hold a worker for ever
    if not settings.get("MAIL_BACKEND"):
        if settings.get("MAIL_SERVER"):
            settings["MAIL_BACKEND"] = "smtp"
        else:
            environment = "testing" if config.get("TESTING") else config.get("LMS_ENV", "development")
            backends = {"development": "console", "testing": "locmem", "production": "smtp"}
            settings["MAIL_BACKEND"] = backends[environment]
            settings["MAIL_SERVER"] = "localhost"
    return settings


def send(to: str, subject: str, body: str) -> None:
    """Send a plain-text mail from MAIL_DEFAULT_SENDER; raise the backend's error if it cannot be sent."""
    EmailMessage(subject=subject, body=body, to=[to]).send(fail_silently=False)


def init_app(app: Flask) -> None:
    """Resolve the mail settings and bind Flask-Mailman to the app."""
    app.config.update(mail_settings(app.config))
    mail.init_app(app)
