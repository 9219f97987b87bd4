"""Small assertions shared by the suite."""

import io
import re
import threading
from html import unescape

from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from pypdf import PdfWriter


def refused_by_database(save) -> bool:
    """Whether the database itself (not validation) refuses `save()`."""
    try:
        with transaction.atomic():
            save()
    except IntegrityError:
        return True
    return False


def count_queries(client, url: str) -> int:
    """The number of queries a successful GET of `url` makes."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def pdf_bytes(*, pages: int = 1, password: str | None = None) -> bytes:
    """A real PDF made by pypdf, optionally protected by a password."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def text_of(response) -> str:
    """The page's text without tags, whitespace collapsed: what a reader sees."""
    html = response.content.decode()
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def at_once(target, arguments, *, timeout: float) -> None:
    """Call `target(*each)` for each of `arguments`, each in a thread of its own, all
    started before any is waited for (each join bounded by `timeout`, to catch a hang)."""
    threads = [threading.Thread(target=target, args=tuple(each)) for each in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
