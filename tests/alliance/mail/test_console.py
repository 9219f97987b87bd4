"""Development's console emails read as the recipient reads them: links whole."""

import io

import pytest
from django.core.mail import EmailMultiAlternatives

from alliance.mail.console import ReadableConsoleBackend

LINK = (
    "http://127.0.0.1:8131/de/accounts/confirm-email/"
    "MTA:1vRg2k:Zq3xW9_a-key-long-enough-to-pass-seventy-six-characters/"
    "?next=%2Fde%2Fprogrammes%2F"
)


def test_a_long_link_is_printed_whole_and_the_headers_say_who_and_what():
    stream = io.StringIO()
    message = EmailMultiAlternatives(
        subject="Bitte bestätigen Sie Ihre E-Mail-Adresse",
        body=f"Guten Tag,\n\nbitte öffnen Sie diesen Link:\n{LINK}\n",
        from_email="Start Alliance Berlin <noreply@startalliance.example>",
        to=["ada@orbit.example"],
    )
    message.attach_alternative(f'<p><a href="{LINK}">Bestätigen</a></p>', "text/html")
    message.attach("Orbit deck.pdf", b"%PDF-1.4", "application/pdf")

    ReadableConsoleBackend(stream=stream).send_messages([message])

    printed = stream.getvalue()
    assert LINK in printed.splitlines()
    assert "=3D" not in printed
    assert printed.startswith(
        "From: Start Alliance Berlin <noreply@startalliance.example>\n"
        "To: ada@orbit.example\n"
        "Subject: Bitte bestätigen Sie Ihre E-Mail-Adresse\n"
        "Also: text/html, Orbit deck.pdf\n\n"
        "Guten Tag,"
    )


def test_a_header_smtp_would_refuse_is_refused_here_too_and_copies_are_named():
    stream = io.StringIO()
    backend = ReadableConsoleBackend(stream=stream)
    forged = EmailMultiAlternatives(subject="Hi\nBcc: x@evil.example", body="x", to=["a@b.example"])
    copied = EmailMultiAlternatives(subject="Hi", body="x", bcc=["staff@berlin-partner.example"])

    with pytest.raises(ValueError, match="linefeed"):
        backend.send_messages([forged])
    backend.send_messages([copied])

    assert "evil" not in stream.getvalue()
    assert "Bcc: staff@berlin-partner.example\n" in stream.getvalue()
