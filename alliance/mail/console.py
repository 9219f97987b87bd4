"""Development's emails on the console, readable: headers, then the text as it reads.

Django's console backend prints the raw MIME message: the text quoted-printable, so a
link is cut by soft line breaks (`=`) and its `=` written `=3D`, and copying it from the
terminal gives a dead link. This one prints who, to whom, the subject and the plain text
itself (attachments and the HTML part named, not dumped).
"""

from django.core.mail.backends.console import EmailBackend


class ReadableConsoleBackend(EmailBackend):
    def write_message(self, message) -> None:
        message.message()  # refuses what SMTP would refuse (a header with a line break)
        lines = [f"From: {message.from_email}", f"To: {', '.join(message.to)}"]
        lines += [
            f"{name}: {', '.join(addresses)}"
            for name, addresses in (("Cc", message.cc), ("Bcc", message.bcc))
            if addresses
        ]
        lines.append(f"Subject: {message.subject}")
        others = [mimetype for _content, mimetype in getattr(message, "alternatives", [])]
        others += [_attachment_name(attachment) for attachment in message.attachments]
        if others:
            lines.append(f"Also: {', '.join(others)}")
        self.stream.write("\n".join(lines) + "\n\n" + message.body.rstrip() + "\n")
        self.stream.write("-" * 79 + "\n")


def _attachment_name(attachment) -> str:
    """An attachment's file name (a tuple's, or a MIME part's), else its type."""
    if hasattr(attachment, "get_filename"):
        return attachment.get_filename() or attachment.get_content_type()
    return getattr(attachment, "filename", None) or getattr(attachment, "mimetype", "") or "?"
