"""What the browser journeys share: the founder's mailbox and the forms' fields."""

import re

from django.core import mail
from playwright.sync_api import Page


def link_sent_to(email: str) -> str:
    """The link in the email sent to `email`: what the founder clicks in their mailbox."""
    (sent,) = [message for message in mail.outbox if message.to == [email]]
    return re.search(r"https?://\S+", sent.body).group(0)


def enter(page: Page, selector: str, value: str) -> None:
    """Type into a field, or choose in it where it is a list (the start-up form's)."""
    field = page.locator(selector)
    if field.evaluate("element => element.tagName") == "SELECT":
        field.select_option(value)
    else:
        field.fill(value)
