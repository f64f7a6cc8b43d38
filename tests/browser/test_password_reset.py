"""Forgot password in a real browser: the link comes from the mail the test SMTP server caught."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from .conftest import Site
from .test_accessibility import AXE_OPTIONS, describe_violations

LINK = re.compile(r"https?://\S+/account/password/reset/\S+")


def test_reset_a_forgotten_password_from_the_mail(page: Page, site: Site):
    account = site.add_learner("Rita Reset")
    inbox = site.server.inbox
    before = len(inbox.messages)

    page.goto("/account/login")
    page.get_by_role("link", name="Forgot password?").click()
    page.get_by_label("Email").fill(account.email.upper())
    page.get_by_role("button", name="Mail me a link").click()
    expect(page.get_by_text(f"If an account uses {account.email}, we have mailed it a link")).to_be_visible()

    message = inbox.wait_for(before + 1)[before]
    assert message["To"] == account.email
    (url,) = LINK.findall(message.get_content())
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, "the reset form of a valid link: " + describe_violations(violations)
    page.get_by_label("New password", exact=True).fill("a fresh new password")
    page.get_by_label("Repeat new password").fill("a fresh new password")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_text("Your password is changed")).to_be_visible()

    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password", exact=True).fill("a fresh new password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {account.name}.")).to_be_visible()

    # The link worked once.
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link no longer works")
