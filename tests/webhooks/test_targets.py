"""Webhook targets: URL checks, and posting to real local servers without becoming an SSRF proxy.

The servers are real (http.server in a thread on 127.0.0.1). Only the system resolver is
stood in for where a test needs a name to resolve to an address no local machine has, and
socket.connect is watched (not replaced) to prove that a refused address is never dialled.
"""

import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from exchanges.partners.webhooks.targets import USER_AGENT, Sender, SendError, check_url
from tests.netutils import closed_port, silent_port

PAYLOAD = b'{"type":"application.submitted","data":{"id":7}}'


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class PartnerServer(ThreadingHTTPServer):
    """A partner's endpoint: records what arrives and answers with `answer(handler)`."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[Received] = []
        self.connections = 0
        self.lock = threading.Lock()
        self.answer: Callable[[BaseHTTPRequestHandler], None] = answer_ok

    @property
    def port(self) -> int:
        return self.server_address[1]

    def handle_error(self, request: object, client_address: object) -> None:
        """Stay quiet when a client drops a connection on purpose (a body too long)."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    server: PartnerServer

    def setup(self) -> None:
        super().setup()
        with self.server.lock:
            self.server.connections += 1

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.received.append(Received(self.command, self.path, dict(self.headers), body))
        self.server.answer(self)

    do_GET = do_POST  # noqa: N815 - http.server's name

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Keep the test output clean."""


def answer_ok(handler: BaseHTTPRequestHandler, *, close: bool = False) -> None:
    body = b'{"received":true}'
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    if close:
        handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(body)


def answer_and_close(handler: BaseHTTPRequestHandler) -> None:
    answer_ok(handler, close=True)


def answer_redirect(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(302)
    handler.send_header("Location", f"http://127.0.0.1:{handler.server.server_address[1]}/next")
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def answer_huge(handler: BaseHTTPRequestHandler) -> None:
    size = 10 * 1024 * 1024
    handler.send_response(200)
    handler.send_header("Content-Length", str(size))
    handler.end_headers()
    chunk = b"a" * 65536
    try:
        for _ in range(size // len(chunk)):
            handler.wfile.write(chunk)
    except OSError:
        handler.close_connection = True


def answer_endless_chunks(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    chunk = b"%x\r\n%s\r\n" % (8192, b"b" * 8192)
    deadline = time.monotonic() + 20
    try:
        while time.monotonic() < deadline:
            handler.wfile.write(chunk)
    except OSError:
        handler.close_connection = True


def answer_trickling(handler: BaseHTTPRequestHandler) -> None:
    """Send a header one byte at a time, each well within the read timeout, never ending."""
    try:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        for _ in range(400):
            handler.wfile.write(b"z")
            handler.wfile.flush()
            time.sleep(0.05)
    except OSError:
        pass
    handler.close_connection = True


def answer_binary(handler: BaseHTTPRequestHandler) -> None:
    body = b"ok \xff\xfe \x00 done"
    handler.send_response(500)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@pytest.fixture
def partner() -> Iterator[PartnerServer]:
    server = PartnerServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(autouse=True)
def production(settings):
    """Production's rules (https, no loopback), with timeouts short enough for tests."""
    settings.WEBHOOK_REQUIRE_HTTPS = True
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    settings.WEBHOOK_CONNECT_TIMEOUT = 0.5
    settings.WEBHOOK_READ_TIMEOUT = 0.5
    settings.WEBHOOK_RESPONSE_LIMIT = 4096
    settings.WEBHOOK_RESPONSE_EXCERPT = 500
    return settings


@pytest.fixture
def development(settings):
    """Development's rules: plain http and loopback targets allowed."""
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    return settings


@pytest.fixture
def dialled(monkeypatch) -> list[str]:
    """Every address a socket connects to during the test (the real connect still runs)."""
    addresses: list[str] = []
    real_connect = socket.socket.connect

    def connect(sock: socket.socket, address: tuple) -> None:
        addresses.append(address[0])
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return addresses


@dataclass
class Resolver:
    """The system resolver, answering chosen names with chosen addresses, one round a call."""

    rounds: dict[str, list[list[str]]] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)

    def answer(self, name: str, *rounds: list[str]) -> None:
        self.rounds[name] = list(rounds)

    def lookup(self, host: str, port: int) -> list[tuple]:
        self.asked.append(host)
        queue = self.rounds[host]
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port, 0, 0))
            if ":" in address
            else (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))
            for address in addresses
        ]


@pytest.fixture
def resolver(monkeypatch) -> Resolver:
    fake = Resolver()
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in fake.rounds:
            return fake.lookup(host, port)
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return fake


def send_error(url: str, body: bytes = PAYLOAD) -> SendError:
    with Sender(url) as sender, pytest.raises(SendError) as caught:
        sender.post(body, {})
    return caught.value


# Posting to a real server


def test_post_delivers_body_and_headers_with_the_name_as_host(development, partner):
    with Sender(f"http://localhost:{partner.port}/hooks/in?token=s3cret") as sender:
        response = sender.post(PAYLOAD, {"webhook-id": "msg_1", "webhook-signature": "v1,abc"})

    assert (response.status, response.excerpt) == (200, '{"received":true}')
    assert 0 <= response.duration_ms < 2000
    [received] = partner.received
    assert (received.method, received.path, received.body) == (
        "POST",
        "/hooks/in?token=s3cret",
        PAYLOAD,
    )
    assert received.headers["Host"] == f"localhost:{partner.port}"
    assert received.headers["Content-Type"] == "application/json"
    assert received.headers["Content-Length"] == str(len(PAYLOAD))
    assert received.headers["User-Agent"] == USER_AGENT == "StartAlliance-Webhooks/1"
    assert received.headers["webhook-id"] == "msg_1"
    assert received.headers["webhook-signature"] == "v1,abc"


def test_post_keeps_the_callers_content_type_and_never_its_host(development, partner):
    with Sender(f"http://127.0.0.1:{partner.port}/") as sender:
        sender.post(b"{}", {"content-type": "application/cloudevents+json", "Host": "evil"})

    [received] = partner.received
    assert received.headers["content-type"] == "application/cloudevents+json"
    assert received.headers["Host"] == f"127.0.0.1:{partner.port}"


def test_two_posts_share_one_connection(development, partner):
    with Sender(f"http://127.0.0.1:{partner.port}/hook") as sender:
        first = sender.post(PAYLOAD, {"webhook-id": "msg_1"})
        second = sender.post(PAYLOAD, {"webhook-id": "msg_2"})

    assert (first.status, second.status) == (200, 200)
    assert [r.headers["webhook-id"] for r in partner.received] == ["msg_1", "msg_2"]
    assert partner.connections == 1


def test_a_connection_the_server_closes_is_made_again(development, partner):
    partner.answer = answer_and_close
    with Sender(f"http://127.0.0.1:{partner.port}/hook") as sender:
        statuses = [sender.post(PAYLOAD, {}).status for _ in range(2)]

    assert statuses == [200, 200]
    assert partner.connections == 2


def test_a_redirect_is_returned_and_never_followed(development, partner):
    partner.answer = answer_redirect
    with Sender(f"http://127.0.0.1:{partner.port}/hook") as sender:
        response = sender.post(PAYLOAD, {})

    assert (response.status, response.excerpt) == (302, "")
    time.sleep(0.1)  # a follow-up request, if one were made, would have arrived by now
    assert [(r.method, r.path) for r in partner.received] == [("POST", "/hook")]


def test_a_huge_body_is_read_only_up_to_the_limit_and_its_connection_dropped(development, partner):
    development.WEBHOOK_RESPONSE_LIMIT = 1000
    development.WEBHOOK_RESPONSE_EXCERPT = 5000
    partner.answer = answer_huge
    with Sender(f"http://127.0.0.1:{partner.port}/hook") as sender:
        started = time.monotonic()
        response = sender.post(PAYLOAD, {})
        elapsed = time.monotonic() - started
        partner.answer = answer_ok
        after = sender.post(PAYLOAD, {})

    assert (response.status, response.excerpt) == (200, "a" * 1000)
    assert elapsed < 0.5
    assert after.excerpt == '{"received":true}'
    assert partner.connections == 2  # the first connection was dropped, not drained


def test_an_endless_chunked_body_returns_quickly_with_an_excerpt(development, partner):
    partner.answer = answer_endless_chunks
    with Sender(f"http://127.0.0.1:{partner.port}/hook") as sender:
        started = time.monotonic()
        response = sender.post(PAYLOAD, {})
        elapsed = time.monotonic() - started

    assert (response.status, response.excerpt) == (200, "b" * 500)
    assert elapsed < 0.5


def test_the_excerpt_is_text_even_when_the_body_is_not(development, partner):
    partner.answer = answer_binary
    with Sender(f"http://127.0.0.1:{partner.port}/hook") as sender:
        response = sender.post(PAYLOAD, {})

    assert (response.status, response.excerpt) == (500, "ok \ufffd\ufffd \ufffd done")


def test_a_server_that_never_answers_times_out(development):
    with silent_port() as port:
        started = time.monotonic()
        error = send_error(f"http://127.0.0.1:{port}/hook")
        elapsed = time.monotonic() - started

    assert error.kind == "timeout"
    assert 0.4 < elapsed < 2.0
    assert 400 <= error.duration_ms < 2000


def test_a_server_trickling_its_headers_times_out_at_the_deadline(development, partner):
    partner.answer = answer_trickling
    started = time.monotonic()
    error = send_error(f"http://127.0.0.1:{partner.port}/hook")
    elapsed = time.monotonic() - started

    # Every byte comes well within the 0.5 s read timeout; the 1 s deadline ends it.
    assert error.kind == "timeout"
    assert 0.9 < elapsed < 2.0


def test_a_refused_port_is_a_connection_error(development):
    error = send_error(f"http://127.0.0.1:{closed_port()}/hook")

    assert (error.kind, str(error)) == ("connection", "connection refused")


def test_an_unresolvable_name_is_a_connection_error(development):
    error = send_error("http://no-such-host.invalid/hook")

    assert (error.kind, str(error)) == ("connection", "host name could not be resolved")


def test_an_http_url_in_production_is_refused_at_send_time_too(partner):
    error = send_error(f"http://partner.example.com:{partner.port}/hook")

    assert (error.kind, str(error)) == ("invalid", "https is required")


def test_a_header_with_a_line_break_is_refused_before_anything_is_sent(development, partner):
    with Sender(f"http://127.0.0.1:{partner.port}/hook") as sender, pytest.raises(SendError) as e:
        sender.post(PAYLOAD, {"webhook-id": "msg_1\r\nX-Injected: yes"})

    assert e.value.kind == "invalid"
    assert partner.received == []


# TLS: verification is on, against the system's CA store, for the name in the URL


@pytest.fixture
def self_signed(tmp_path: Path) -> ssl.SSLContext:
    if not shutil.which("openssl"):
        pytest.skip("needs the openssl command to make a certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "1", "-subj", "/CN=localhost", "-addext",
            "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def test_a_certificate_no_known_authority_signed_is_refused(development, partner, self_signed):
    server_names: list[str | None] = []
    self_signed.sni_callback = lambda sock, name, context: server_names.append(name)
    partner.socket = self_signed.wrap_socket(partner.socket, server_side=True)

    error = send_error(f"https://localhost:{partner.port}/hook")

    assert error.kind == "tls"
    assert "self-signed certificate" in str(error)
    assert server_names == ["localhost"]  # SNI carries the name, though the address is dialled
    assert partner.received == []


# SSRF: refused at registration and at send time, also behind names and rebinding

REFUSED_LITERALS = [
    "127.0.0.1",
    "10.0.0.1",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",  # noqa: S104
    "[::1]",
    "[fe80::1]",
    "[fc00::1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:10.0.0.1]",
    "[64:ff9b::a00:1]",
    "[64:ff9b::7f00:1]",
    "[2002:a00:1::1]",  # 6to4 around 10.0.0.1
    "[2001:0:4136:e378:8000:63bf:f5ff:fffe]",  # Teredo
    "[fec0::1]",
    "[ff02::1]",
    "224.0.0.1",
    "255.255.255.255",
    "127.1",
    "0x7f000001",
    "2130706433",
    "[fe80::1%25eth0]",
]


@pytest.mark.parametrize("host", REFUSED_LITERALS)
def test_a_non_public_literal_address_is_refused_at_registration(host):
    with pytest.raises(ValidationError) as caught:
        check_url(f"https://{host}/hook")

    assert caught.value.code == "address"


@pytest.mark.parametrize("host", REFUSED_LITERALS)
def test_a_non_public_literal_address_is_never_posted_to(host, partner, dialled):
    error = send_error(f"https://{host}:{partner.port}/hook")

    assert error.kind == "unsafe"
    assert str(error).startswith("is a")
    assert dialled == []
    assert partner.connections == 0


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("10.0.0.5", "resolves to a private address"),
        ("::ffff:10.0.0.5", "resolves to a private address"),
        ("169.254.169.254", "resolves to a link-local address"),
        ("fd12:3456::1", "resolves to a private address"),
    ],
)
def test_a_public_name_resolving_to_a_private_address_is_refused(
    address, reason, resolver, dialled
):
    resolver.answer("partner.example.com", [address])
    check_url("https://partner.example.com/hook")  # registration resolves nothing

    error = send_error("https://partner.example.com/hook")

    assert (error.kind, str(error)) == ("unsafe", reason)
    assert resolver.asked == ["partner.example.com"]
    assert dialled == []


def test_a_name_with_one_private_address_among_public_ones_is_refused(resolver, dialled):
    resolver.answer("partner.example.com", ["93.184.215.14", "10.0.0.5", "2606:4700::1111"])

    error = send_error("https://partner.example.com/hook")

    assert (error.kind, str(error)) == ("unsafe", "resolves to a private address")
    assert dialled == []


def test_localhost_is_refused_in_production(partner, dialled):
    error = send_error(f"https://localhost:{partner.port}/hook")

    assert (error.kind, str(error)) == ("unsafe", "resolves to a loopback address")
    assert dialled == []
    assert partner.connections == 0


def test_rebinding_to_a_private_address_is_refused_when_the_connection_is_remade(
    development, partner, resolver, dialled
):
    # Loopback stands for "public" here: it is the only address allowed that a test can reach.
    resolver.answer("partner.example.com", ["127.0.0.1"], ["10.0.0.5"])
    partner.answer = answer_and_close
    with Sender(f"http://partner.example.com:{partner.port}/hook") as sender:
        first = sender.post(PAYLOAD, {})
        with pytest.raises(SendError) as caught:
            sender.post(PAYLOAD, {})

    assert first.status == 200
    assert (caught.value.kind, str(caught.value)) == ("unsafe", "resolves to a private address")
    assert resolver.asked == ["partner.example.com", "partner.example.com"]
    assert dialled == ["127.0.0.1"]
    assert [r.headers["Host"] for r in partner.received] == [f"partner.example.com:{partner.port}"]


def test_a_kept_connection_is_not_resolved_again(development, partner, resolver, dialled):
    resolver.answer("partner.example.com", ["127.0.0.1"], ["10.0.0.5"])
    with Sender(f"http://partner.example.com:{partner.port}/hook") as sender:
        statuses = [sender.post(PAYLOAD, {}).status for _ in range(3)]

    assert statuses == [200, 200, 200]
    assert resolver.asked == ["partner.example.com"]
    assert dialled == ["127.0.0.1"]


def test_with_loopback_allowed_only_loopback_is_allowed(development, partner, dialled):
    for url in [
        "https://127.0.0.1/hook",
        "https://localhost:8443/hook",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
    ]:
        check_url(url)
    for host in ["10.0.0.1", "169.254.169.254", "[fc00::1]", "[64:ff9b::7f00:1]"]:
        with pytest.raises(ValidationError):
            check_url(f"https://{host}/hook")

    error = send_error(f"http://10.0.0.1:{partner.port}/hook")

    assert (error.kind, str(error)) == ("unsafe", "is a private address")
    assert dialled == []


# What check_url accepts and refuses


@pytest.mark.parametrize(
    "url",
    [
        "https://partner.example.com/hooks?tenant=7",
        "https://partner.example.com:8443/",
        "https://Partner.Example.COM./x",
        "https://bücher.example/hook",
        "https://93.184.215.14/hook",
        "https://[2606:4700::1111]/hook",
        "https://[::ffff:93.184.215.14]/hook",
        "https://[64:ff9b::5db8:d70e]/hook",  # NAT64 of a public address
    ],
)
def test_check_url_accepts_public_https_targets(url):
    check_url(url)


def test_http_is_refused_when_https_is_required_and_accepted_otherwise(settings):
    with pytest.raises(ValidationError) as caught:
        check_url("http://partner.example.com/hook")
    assert caught.value.code == "https"

    settings.WEBHOOK_REQUIRE_HTTPS = False
    check_url("http://partner.example.com/hook")


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("https://user:password@partner.example.com/hook", "userinfo"),
        ("https://token@partner.example.com/hook", "userinfo"),
        ("https://partner.example.com\\@10.0.0.1/hook", "userinfo"),
        ("https://partner.example.com/\x00hook", "characters"),
        ("https://partner.example.com/ho ok", "characters"),
        ("https://partner.example.com/\thook", "characters"),
        ("https://partner.example.com/\x85hook", "characters"),
        ("https://partner.example.com/" + "a" * 480, "too_long"),
        ("https://partner.example.com:0/hook", "port"),
        ("https://partner.example.com:65536/hook", "port"),
        ("https://partner.example.com:http/hook", "port"),
        ("ftp://partner.example.com/hook", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("partner.example.com/hook", "scheme"),
        ("https:///hook", "host"),
        ("https://partner..example.com/hook", "host"),
        ("https://partner_%2e.example.com/hook", "host"),
        ("https://-partner.example.com/hook", "host"),
        ("https://1.2.3.4.5/hook", "host"),
        ("https://[::1/hook", "malformed"),
    ],
)
def test_check_url_refuses_with_a_validation_error(url, code):
    with pytest.raises(ValidationError) as caught:
        check_url(url)

    assert caught.value.code == code
    assert caught.value.messages  # a message to show, not an exception escaping


def test_check_url_accepts_500_characters_and_no_more():
    base = "https://partner.example.com/"
    check_url(base + "a" * (500 - len(base)))

    with pytest.raises(ValidationError):
        check_url(base + "a" * (501 - len(base)))
