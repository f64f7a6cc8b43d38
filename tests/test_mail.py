"""Mail set-up: MAIL_URL or the single settings, the console in development, a real SMTP server in tests."""

import pytest

from lms import create_app
from lms.config import ConfigError
from lms.mail import mail_settings, send, settings_from_url

from .conftest import MINI_PACK
from .mail_server import smtp_server  # noqa: F401 (a fixture)
from .ports import free_port


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://user:p%40ss@mail.example.org:587/?tls=1",
            {"MAIL_SERVER": "mail.example.org", "MAIL_PORT": 587, "MAIL_USERNAME": "user", "MAIL_PASSWORD": "p@ss",
             "MAIL_USE_TLS": True, "MAIL_USE_SSL": False},
        ),
        (
            "smtps://mail.example.org",
            {"MAIL_SERVER": "mail.example.org", "MAIL_PORT": 465, "MAIL_USERNAME": None, "MAIL_PASSWORD": None,
             "MAIL_USE_TLS": False, "MAIL_USE_SSL": True},
        ),
        (
            "smtp://127.0.0.1:2525/?sender=Academy%20%3Cacademy%40example.org%3E&timeout=3",
            {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 2525, "MAIL_USERNAME": None, "MAIL_PASSWORD": None,
             "MAIL_USE_TLS": False, "MAIL_USE_SSL": False, "MAIL_DEFAULT_SENDER": "Academy <academy@example.org>",
             "MAIL_TIMEOUT": 3.0},
        ),
    ],
)  # fmt: skip
def test_mail_url(url, expected):
    assert settings_from_url(url) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://mail.example.org", "must look like"),
        ("smtp://", "must look like"),
        ("smtp://mail.example.org:99999", "bad port"),
        ("smtp://mail.example.org/?starttls=1", "unknown options: starttls"),
        ("smtp://mail.example.org/?timeout=soon", "not a number"),
    ],
)
def test_a_bad_mail_url_is_refused(url, message):
    with pytest.raises(ConfigError, match=message):
        settings_from_url(url)


def test_tls_and_ssl_together_are_refused():
    with pytest.raises(ConfigError, match="cannot both"):
        mail_settings({"MAIL_SERVER": "mail.example.org", "MAIL_USE_TLS": True, "MAIL_USE_SSL": True})


@pytest.mark.parametrize(
    ("config", "backend"),
    [
        ({"LMS_ENV": "development"}, "console"),
        ({"LMS_ENV": "development", "TESTING": True}, "locmem"),
        ({"LMS_ENV": "production"}, "smtp"),
        ({"LMS_ENV": "development", "MAIL_SERVER": "mail.example.org"}, "smtp"),
        ({"LMS_ENV": "development", "MAIL_URL": "smtp://mail.example.org"}, "smtp"),
    ],
)
def test_the_backend_follows_the_environment_when_no_server_is_set(config, backend):
    assert mail_settings(config)["MAIL_BACKEND"] == backend


def make_app(**config):
    return create_app({"SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://", "COURSE_PACK_PATH": str(MINI_PACK),
                       **config})  # fmt: skip


def test_development_without_a_server_prints_the_mail(capsys):
    app = make_app()
    with app.app_context():
        send("ada@example.org", "Reset your password", "Open this link within an hour.")
    printed = capsys.readouterr().out
    assert "To: ada@example.org" in printed and "Subject: Reset your password" in printed
    assert "Open this link within an hour." in printed


def test_mail_goes_through_a_real_smtp_server(smtp_server):  # noqa: F811
    app = make_app(MAIL_URL=smtp_server.url, MAIL_DEFAULT_SENDER="Academy <academy@example.org>")
    with app.app_context():
        send("ada@example.org", "Verify your email", "Welcome, Ada: confirm your address.")
    (message,) = smtp_server.inbox.wait_for(1)
    assert message["Subject"] == "Verify your email" and message["To"] == "ada@example.org"
    assert message["From"] == "Academy <academy@example.org>"
    assert message.get_content().strip() == "Welcome, Ada: confirm your address."
    assert smtp_server.inbox.recipients == [["ada@example.org"]]


def test_an_unreachable_mail_server_raises():
    app = make_app(MAIL_URL=f"smtp://127.0.0.1:{free_port()}/?timeout=2")
    with app.app_context(), pytest.raises(OSError):
        send("ada@example.org", "Lost", "Nobody listens on this port.")
