"""Where partner webhooks may go, and posting them there without becoming an SSRF proxy.

A partner's URL is checked twice. At registration, `check_url` refuses what is wrong on
its face (not https in production, a user name in it, a literal private address, ...)
without resolving anything: a name that is public today may point inward tomorrow. At send
time, `Sender` resolves the name itself, refuses it when *any* address is not public, and
connects to the address it checked (with the name kept for the `Host` header, SNI and the
certificate check), so DNS rebinding gains nothing: the address checked is the address used.
Redirects are never followed; a 3xx is an answer like any other.

One `Sender` holds one http.client connection rather than a pool: a pool reconnects on its
own, while here every new connection must resolve and check again (the connection never
reconnects by itself), and the deadline watchdog needs the connection's socket. http.client
rather than urllib3: a post is the request line, a few headers and a body, and urllib3's
layers cost more CPU than the post's bookkeeping (bench/webhooks.py); the request goes out
in one write, headers and body together, so the receiver reads it in one go. For https
the TCP connection goes to the checked address and TLS is wrapped around it with the
name for SNI and the certificate check (the default context: CA store, host name).

A post takes at most the connect plus the read timeout:
per-socket timeouts alone let a server that trickles one byte at a time (in the headers,
the body or the TLS handshake) hold a worker for hours, so a timer shuts the socket down
when the deadline passes. Only the first `WEBHOOK_RESPONSE_LIMIT` bytes of an answer are
read; a longer body is not drained, its connection is dropped instead.

Nothing here logs a URL's path or query (they may carry a partner's token) or a body.
"""

import contextlib
import heapq
import http.client
import ipaddress
import logging
import re
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Self
from urllib.parse import quote, urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

MAX_URL_LENGTH = 500
USER_AGENT = "StartAlliance-Webhooks/1"
DEFAULT_PORTS = {"http": 80, "https": 443}

# The caller's headers may not choose these: the connection sets them from the URL and body.
_OWN_HEADERS = {"host", "content-length", "transfer-encoding", "connection", "user-agent"}
# NAT64's well-known prefix (RFC 6052) carries an IPv4 address in its last 32 bits.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")  # carrier-grade NAT, not public
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")

type Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# In order, the first that applies names the problem. 6to4 (2002::/16) and Teredo
# (2001::/32) are not global: refused whole, whatever they embed, since their relays reach
# any IPv4 address.
_PROBLEMS: tuple[tuple[Callable[[Address], bool], str], ...] = (
    (lambda address: address.is_loopback, "a loopback address"),
    (lambda address: address.is_unspecified, "an unspecified address"),
    (lambda address: address.is_multicast, "a multicast address"),
    (lambda address: address.is_link_local, "a link-local address"),
    # fec0::/10 is deprecated, yet global to ipaddress.
    (lambda address: getattr(address, "is_site_local", False), "a site-local address"),
    (lambda address: address in _SHARED, "a shared (carrier-grade NAT) address"),
    (lambda address: address.is_private, "a private address"),
    (lambda address: address.is_reserved or not address.is_global, "a reserved address"),
)
# How a failure without an HTTP answer is told, by the first type it is an instance of.
_FAILURES: tuple[tuple[type[Exception] | tuple[type[Exception], ...], str, str], ...] = (
    (ssl.SSLError, "tls", "TLS handshake failed"),
    (socket.gaierror, "connection", "host name could not be resolved"),
    (ConnectionRefusedError, "connection", "connection refused"),
    (ConnectionError, "connection", "connection closed by the server"),
    (http.client.HTTPException, "invalid", "the answer is not HTTP"),
    (ValueError, "invalid", "invalid request header"),  # http.client refuses CR/LF in one
    (OSError, "connection", "could not connect"),
)

# Shown to whoever registers a URL (a partner in the API, staff in the admin).
_MESSAGES = {
    "too_long": _("The URL may be at most %(limit)d characters long."),
    "characters": _("The URL may not contain spaces or control characters."),
    "malformed": _("This is not a valid URL."),
    "scheme": _("The URL must start with https://."),
    "https": _("The URL must use https://, not http://."),
    "userinfo": _("The URL may not contain a user name or password."),
    "host": _("The URL must name a valid host."),
    "port": _("The port must be a number from 1 to 65535."),
    "address": _("The URL must point to a public address."),
}
# The same refusals at send time, in short English for the delivery log.
_REASONS = {
    "too_long": "URL too long",
    "characters": "URL contains spaces or control characters",
    "malformed": "malformed URL",
    "scheme": "URL scheme is not https",
    "https": "https is required",
    "userinfo": "URL contains credentials",
    "host": "URL has no valid host",
    "port": "URL port out of range",
}


class _Watchdog:
    """One thread per process that calls each post's `expire` when its deadline passes.

    A timer thread per post cost more than the post's own bookkeeping (bench/webhooks.py);
    here a post registers its deadline in a heap and cancels it when done.
    """

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._heap: list[tuple[float, int, object]] = []
        self._live: set[int] = set()
        self._next = 0
        self._thread: threading.Thread | None = None

    def watch(self, deadline: float, expire) -> int:
        with self._lock:
            self._next += 1
            token = self._next
            heapq.heappush(self._heap, (deadline, token, expire))
            self._live.add(token)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, daemon=True, name="webhooks")
                self._thread.start()
            elif self._heap[0][1] == token:
                self._lock.notify()  # an earlier deadline than the thread waits for
            return token

    def cancel(self, token: int) -> None:
        with self._lock:
            self._live.discard(token)

    def _run(self) -> None:
        while True:
            with self._lock:
                while self._heap and self._heap[0][1] not in self._live:
                    heapq.heappop(self._heap)  # finished in time
                if not self._heap:
                    self._lock.wait(timeout=60)
                    if not self._heap:
                        continue
                    continue
                deadline, token, expire = self._heap[0]
                wait = deadline - time.monotonic()
                if wait > 0:
                    self._lock.wait(timeout=wait)
                    continue
                heapq.heappop(self._heap)
                self._live.discard(token)
            expire()


_WATCHDOG = _Watchdog()


class UnsafeTarget(Exception):  # noqa: N818 - the name other modules catch
    """The target is not a public address; the message is short, English and safe to show."""


class SendError(Exception):
    """A post that got no HTTP answer: `kind` says why, `str()` is safe to show and log.

    Kinds: "timeout", "connection" (refused, reset, name not resolved), "unsafe" (not a
    public address), "tls" (handshake or certificate refused), "invalid" (the URL or the
    request headers are not acceptable, or the answer is not HTTP).
    """

    def __init__(self, kind: str, message: str, *, duration_ms: int = 0) -> None:
        super().__init__(message)
        self.kind = kind
        self.duration_ms = duration_ms


@dataclass(frozen=True)
class Response:
    """The status of an answer, how long it took and the start of its body as text."""

    status: int
    duration_ms: int
    excerpt: str


class _InvalidURLError(Exception):
    """A URL refused before any connection; `code` picks the message."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str  # ASCII (IDNA), without brackets or a trailing dot
    lookup_name: str  # what the resolver is asked: the host as written, trailing dot kept
    address: Address | None  # set when the URL names a literal address
    port: int
    path: str  # the request target: path and query, never the fragment
    host_header: str


def check_url(url: str) -> None:
    """Refuse a webhook URL that could never be posted to safely, without resolving it."""
    try:
        _parse(url)
    except _InvalidURLError as refused:
        raise ValidationError(
            _MESSAGES[refused.code], code=refused.code, params=refused.params or None
        ) from None
    except UnsafeTarget:
        raise ValidationError(_MESSAGES["address"], code="address") from None


def address_problem(address: Address) -> str | None:
    """Say why an address may not be posted to ("a private address"), or None if it may."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return "a scoped address"
        # Both carry an IPv4 address that the packet ends up at: judge that one.
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif address in _NAT64:
            return _nat64_problem(address)
    if address.is_loopback:
        return None if _allow_loopback() else "a loopback address"
    return _public_problem(address)


def _nat64_problem(address: ipaddress.IPv6Address) -> str | None:
    embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    # Loopback through a NAT64 gateway is the gateway's loopback, never ours: always refused.
    return "a loopback address" if embedded.is_loopback else _public_problem(embedded)


def _public_problem(address: Address) -> str | None:
    return next((reason for test, reason in _PROBLEMS if test(address)), None)


def _allow_loopback() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_LOOPBACK", False))


def _parse(url: str) -> _Target:
    """Split a URL into what a connection needs, refusing what check_url refuses."""
    if len(url) > MAX_URL_LENGTH:
        raise _InvalidURLError("too_long", limit=MAX_URL_LENGTH)
    if any(char.isspace() or not char.isprintable() for char in url):
        raise _InvalidURLError("characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise _InvalidURLError("port" if "port" in str(error).lower() else "malformed") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise _InvalidURLError("scheme")
    if scheme == "http" and getattr(settings, "WEBHOOK_REQUIRE_HTTPS", True):
        raise _InvalidURLError("https")
    if "@" in parts.netloc:
        raise _InvalidURLError("userinfo")
    if port is not None and not 1 <= port <= 65535:
        raise _InvalidURLError("port")
    port = port or DEFAULT_PORTS[scheme]
    host, lookup_name, address = _host(parts.hostname or "")
    if address is not None and (problem := address_problem(address)):
        raise UnsafeTarget(f"is {problem}")
    shown = f"[{host}]" if ":" in host else host
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    # http.client sends only ASCII; an IRI's other characters go percent-encoded.
    path = re.sub(r"[^\x21-\x7e]", lambda match: quote(match.group()), path)
    return _Target(
        scheme=scheme,
        host=host,
        lookup_name=lookup_name,
        address=address,
        port=port,
        path=path,
        host_header=shown if port == DEFAULT_PORTS[scheme] else f"{shown}:{port}",
    )


def _host(hostname: str) -> tuple[str, str, Address | None]:
    """Return the host in ASCII, the name to resolve and the literal address it is, if one."""
    if not hostname:
        raise _InvalidURLError("host")
    try:
        address = ipaddress.ip_address(hostname)
    except ValueError:
        address = _legacy_ipv4(hostname)
    if address is not None:
        return hostname, hostname, address
    try:
        ascii_name = hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise _InvalidURLError("host") from None
    labels = ascii_name.removesuffix(".").split(".")
    if (
        len(ascii_name) > 253
        or not all(_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()  # no top-level domain is a number: a mistyped address
    ):
        raise _InvalidURLError("host")
    return ascii_name.removesuffix("."), ascii_name, None


def _legacy_ipv4(hostname: str) -> ipaddress.IPv4Address | None:
    """Read the forms the resolver takes as an IPv4 address too ("127.1", "0x7f000001")."""
    if not re.fullmatch(r"[0-9a-fx.]+", hostname):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(hostname))
    except OSError:
        return None


def _resolve(target: _Target) -> list[Address]:
    """Resolve the target's name, refusing it whole when any of its addresses is unsafe."""
    if target.address is not None:
        return [target.address]
    found = socket.getaddrinfo(
        target.lookup_name, target.port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    addresses: list[Address] = []
    for *_ignored, sockaddr in found:
        address = ipaddress.ip_address(sockaddr[0])
        if problem := address_problem(address):
            raise UnsafeTarget(f"resolves to {problem}")
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise socket.gaierror(socket.EAI_NONAME, "no address")
    return addresses


@cache
def _tls_context() -> ssl.SSLContext:
    """Verify certificates and host names against the system's CA store."""
    return ssl.create_default_context()


class _Connection(http.client.HTTPConnection):
    """http.client's connection to one checked address; it never reconnects on its own.

    `adopt` is told each socket the connection makes (the watchdog shuts that one down) and
    raises when the post's deadline has already passed.
    """

    auto_open = 0  # a lost connection is re-made by Sender, which resolves and checks again

    def __init__(
        self, address: Address, port: int, *, timeout: float, adopt: Callable[[socket.socket], None]
    ) -> None:
        super().__init__(str(address), port, timeout=timeout)
        self._adopt = adopt

    def connect(self) -> None:
        super().connect()  # TCP to the checked address, TCP_NODELAY set
        self._adopt(self.sock)

    def _send_output(self, message_body=None, encode_chunked=False) -> None:
        # http.client writes the headers, then the body: two segments (TCP_NODELAY), two
        # reads for the receiver. A body in bytes goes out with the headers in one write.
        if isinstance(message_body, bytes) and not encode_chunked:
            self._buffer.extend((b"", b""))
            message = b"\r\n".join(self._buffer) + message_body
            del self._buffer[:]
            self.send(message)
            return
        super()._send_output(message_body, encode_chunked)


class _TLSConnection(_Connection):
    """TCP to the checked address, then TLS with the URL's name for SNI and the certificate."""

    default_port = 443

    def __init__(self, address: Address, port: int, *, server_hostname: str, **kwargs) -> None:
        super().__init__(address, port, **kwargs)
        self._server_hostname = server_hostname

    def connect(self) -> None:
        super().connect()
        tls = _tls_context().wrap_socket(
            self.sock, server_hostname=self._server_hostname, do_handshake_on_connect=False
        )
        self.sock = tls
        self._adopt(tls)  # from here the watchdog can cut a handshake that trickles
        tls.do_handshake()


def _still_open(connection: http.client.HTTPConnection | None) -> bool:
    """A kept connection is usable if it has a socket with nothing to read: a server that
    closed its end makes it readable (EOF), and so would stray bytes it had no reason to send.
    """
    sock = connection.sock if connection is not None else None
    if sock is None:
        return False
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return not poller.poll(0)


class Sender:
    """Posts to one endpoint URL, keeping its connection alive between posts.

    Use it as a context manager (or call `close()`); one thread at a time. The name is
    resolved and checked on the first post and again whenever the connection is re-made.
    """

    def __init__(self, url: str) -> None:
        self._url = url
        self._target: _Target | None = None
        self._connection: _Connection | None = None
        # The connection's socket, kept here too: http.client lets go of it when an answer
        # ends the connection (Connection: close), while its body is still being read.
        self._socket: socket.socket | None = None
        self._expired = False
        self._guard = threading.Lock()
        self._post: object | None = None  # the post the watchdog may cut off
        self._connect_timeout = float(getattr(settings, "WEBHOOK_CONNECT_TIMEOUT", 3.0))
        self._read_timeout = float(getattr(settings, "WEBHOOK_READ_TIMEOUT", 5.0))
        self._limit = int(getattr(settings, "WEBHOOK_RESPONSE_LIMIT", 4096))
        self._excerpt_length = int(getattr(settings, "WEBHOOK_RESPONSE_EXCERPT", 500))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """End the connection, if one is open."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def post(self, body: bytes, headers: dict[str, str]) -> Response:
        """Post a body with the caller's headers; raise SendError when no answer came."""
        started = time.monotonic()
        deadline = started + self._connect_timeout + self._read_timeout
        self._expired = False
        target = self._target
        watch = None
        try:
            if target is None:
                target = self._target = _parse(self._url)
            post = object()
            with self._guard:
                self._post = post
            watch = _WATCHDOG.watch(deadline, lambda: self._expire_post(post))
            if not _still_open(self._connection):
                self.close()
                self._connection = self._connect(target, deadline=deadline)
                self._connection.sock.settimeout(self._read_timeout)
            status, body_start = self._exchange(target, body, headers)
        except Exception as error:
            self.close()
            kind, message = self._classify(error, timeout=deadline - started)
            duration_ms = _elapsed_ms(started)
            logger.info(
                "Webhook post to %s failed (%s, %d ms): %s",
                _origin(target),
                kind,
                duration_ms,
                message,
            )
            raise SendError(kind, message, duration_ms=duration_ms) from error
        finally:
            with self._guard:
                self._post = None  # a deadline the watchdog reaches now concerns no post
            if watch is not None:
                _WATCHDOG.cancel(watch)
        # PostgreSQL's text refuses NUL: the excerpt is kept, so NUL becomes U+FFFD too.
        excerpt = body_start.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
        return Response(
            status=status, duration_ms=_elapsed_ms(started), excerpt=excerpt[: self._excerpt_length]
        )

    def _connect(self, target: _Target, *, deadline: float) -> _Connection:
        """Connect to the first checked address that answers, trying the next on failure."""
        last_error: Exception | None = None
        for address in _resolve(target):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            connection = self._new_connection(
                target, address, min(self._connect_timeout, remaining)
            )
            self._connection = connection
            try:
                connection.connect()
            except ssl.SSLError:
                self.close()
                raise  # the server answered: another address of it will not do better
            except OSError as error:
                self.close()
                last_error = error
                if self._expired:
                    break
                continue
            return connection
        raise last_error or TimeoutError("connect deadline passed")

    def _new_connection(self, target: _Target, address: Address, timeout: float) -> _Connection:
        if target.scheme == "https":
            return _TLSConnection(
                address,
                target.port,
                timeout=timeout,
                adopt=self._adopt,
                server_hostname=target.host,
            )
        return _Connection(address, target.port, timeout=timeout, adopt=self._adopt)

    def _adopt(self, sock: socket.socket) -> None:
        """Let the watchdog reach a new socket; give up if the deadline passed meanwhile."""
        self._socket = sock
        # The watchdog marks the post expired before it looks for the socket: if it looked
        # too early to find this one, the mark is seen here.
        if self._expired:
            raise TimeoutError("deadline passed while connecting")

    def _exchange(self, target: _Target, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """Send the request and read at most the response limit of its answer."""
        connection = self._connection
        given = {name: value for name, value in headers.items() if name.lower() not in _OWN_HEADERS}
        if not any(name.lower() == "content-type" for name in given):
            given["Content-Type"] = "application/json"
        given["Host"] = target.host_header
        given["User-Agent"] = USER_AGENT
        # http.client adds Content-Length and `Accept-Encoding: identity`: a partner's answer
        # is never compressed, so never inflated here.
        connection.request("POST", target.path, body=body, headers=given)
        response = connection.getresponse()
        if self._expired:
            # The watchdog's shutdown reads as the end of the headers: they never came whole.
            raise TimeoutError("deadline passed before the headers")
        # The status is the answer: a body that breaks off or never ends only shortens the
        # excerpt, and costs its connection.
        limit = self._limit
        chunks: list[bytes] = []
        size = 0
        complete = False
        try:
            while size <= limit:
                chunk = response.read1(limit + 1 - size)
                if not chunk:
                    complete = True
                    break
                chunks.append(chunk)
                size += len(chunk)
        except (OSError, http.client.HTTPException):
            complete = False
        if not complete or self._expired:
            response.close()
            self.close()
        elif connection.sock is None:  # the answer ended the connection (Connection: close)
            self.close()
        return response.status, b"".join(chunks)[:limit]

    def _expire_post(self, post: object) -> None:
        with self._guard:
            if self._post is post:
                self._expire()

    def _expire(self) -> None:
        """Shut the socket down when a post's deadline passes, whatever it is waiting for."""
        self._expired = True
        sock = self._socket
        if sock is not None:
            # socket.socket's own shutdown, also under TLS: SSLSocket.shutdown would tear
            # its state down under the thread still reading from it.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def _classify(self, error: Exception, *, timeout: float) -> tuple[str, str]:
        """Return the kind of a failure and a short description that holds no secret."""
        if isinstance(error, _InvalidURLError):
            return "invalid", _REASONS[error.code]
        if isinstance(error, UnsafeTarget):
            return "unsafe", str(error)
        if self._expired or isinstance(error, TimeoutError):
            return "timeout", f"no answer within {timeout:g} s"
        if isinstance(error, ssl.SSLCertVerificationError):
            return "tls", f"certificate not accepted: {error.verify_message}"
        for types, kind, message in _FAILURES:
            if isinstance(error, types):
                return kind, message
        raise error


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _origin(target: _Target | None) -> str:
    """Name a target in logs by scheme, host and port only: path and query may hold tokens."""
    if target is None:
        return "an invalid URL"
    return f"{target.scheme}://{target.host_header}"


def display_url(url: str) -> str:
    """The URL without credentials, query and fragment (a receiver may put a token there):
    what staff, emails and logs show of it."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))
