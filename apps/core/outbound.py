"""Outgoing HTTP to addresses a workspace configures (its language model; webhooks, CRM),
safe against server-side request forgery (DESIGN.md §7).

- ``http`` or ``https`` only, with a host and no user name or password in the address.
- The host is resolved once, and every address it resolves to must be public: loopback,
  private, shared (carrier-grade NAT), link-local, multicast, reserved, unspecified,
  documentation and cloud-metadata addresses are refused, in IPv4, in IPv6 and as IPv4 inside
  IPv6 (mapped, NAT64, 6to4, Teredo).
- The connection goes to the address that was checked, never to a second answer of the DNS:
  urllib3's connection pool is opened on the IP, with the name in the ``Host`` header, in TLS's
  server name (SNI) and in the certificate check (urllib3's documented "custom SNI" use).
- Redirects are not followed (a 3xx comes back as it is), so no redirect can lead past the
  check. No proxy from the environment is used.
- A timeout (to connect and get the answer, then for the whole body) and a cap on the
  body's size.

``settings.OUTBOUND_ALLOW_LOOPBACK`` (off unless the environment turns it on) lets loopback
addresses (127.0.0.0/8, ::1) through, for the tests' own servers on 127.0.0.1; nothing else.
Refusals raise ``OutboundRefused``; failures (no connection, too slow, too large) raise
``OutboundError``. Messages name the host, never the body.
"""

import ipaddress
import json
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 1024 * 1024
_CHUNK = 16 * 1024
_DEFAULT_PORTS = {"http": 80, "https": 443}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud instance-metadata services: refused by the rules below already (link-local, private or
# shared addresses), named here too so that no rule change lets them through.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean…
        "169.254.170.2",  # AWS ECS task metadata
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud
        "fd00:ec2::254",  # AWS over IPv6
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundError(Exception):
    """The request did not give an answer: no connection, too slow, too large, or refused."""


class OutboundRefused(OutboundError):
    """Refused before anything was sent: the address is not one Sohbet may call."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason  # "scheme", "url", "credentials", "unresolvable", "address"


class OutboundTimeout(OutboundError):
    """No (complete) answer within the timeout."""


class OutboundTooLarge(OutboundError):
    """The answer is larger than the cap."""


@dataclass(frozen=True)
class Target:
    """A checked address: what to connect to (``address``) and what to call it (``host``)."""

    scheme: str
    host: str  # the name as written (ASCII, IDNA-encoded), or the IP
    port: int
    path: str  # path and query
    address: str = ""  # the IP the host resolved to, checked

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == _DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self):
        """The body as JSON (``ValueError`` when it is not)."""
        return json.loads(self.body)


def _loopback_allowed() -> bool:
    return bool(getattr(settings, "OUTBOUND_ALLOW_LOOPBACK", False))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]  # the client's address
    return None


def address_allowed(ip: IPAddress) -> bool:
    """Whether Sohbet may connect to ``ip``: a public unicast address (or loopback, when
    ``OUTBOUND_ALLOW_LOOPBACK`` is on)."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return False
        inner = _embedded_ipv4(ip)
        if inner is not None:
            return address_allowed(inner)
    if ip.is_loopback:
        return _loopback_allowed()
    return not (
        ip in METADATA_ADDRESSES
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global  # shared 100.64/10, documentation, benchmarking…
    )


def check_url(url: str) -> Target:
    """``url``'s parts when it is one Sohbet may call as far as can be told without the DNS:
    http(s), a host, no credentials, not an IP that is refused. ``OutboundRefused`` if not."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise OutboundRefused("url", "not a valid address") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise OutboundRefused("scheme", "only http and https addresses are called")
    if parts.username is not None or parts.password is not None:
        raise OutboundRefused("credentials", "an address with a user name or password")
    name = (parts.hostname or "").rstrip(".")
    if not name:
        raise OutboundRefused("url", "an address without a host")
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        ip = None
    if ip is not None:
        if not address_allowed(ip):
            raise OutboundRefused("address", f"{name} is not a public address")
        host = str(ip)
    else:
        try:
            host = name.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise OutboundRefused("url", "not a valid host name") from exc
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme, host, port or _DEFAULT_PORTS[scheme], path)


def resolve(url: str) -> Target:
    """``check_url``, then the host resolved once: every address it has must be allowed, and
    the first is the one to connect to."""
    target = check_url(url)
    try:
        found = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise OutboundRefused("unresolvable", f"{target.host} does not resolve") from exc
    addresses = []
    for _family, _type, _proto, _name, sockaddr in found:
        ip = ipaddress.ip_address(sockaddr[0])
        if not address_allowed(ip):
            raise OutboundRefused("address", f"{target.host} resolves to a refused address")
        addresses.append(str(ip))
    if not addresses:
        raise OutboundRefused("unresolvable", f"{target.host} does not resolve")
    return Target(target.scheme, target.host, target.port, target.path, addresses[0])


def _pool(target: Target, timeout: float) -> urllib3.HTTPConnectionPool:
    kwargs = {
        "port": target.port,
        "timeout": urllib3.Timeout(total=timeout),  # to connect and to the first byte
        "maxsize": 1,
        "retries": False,
    }
    if target.scheme == "http":
        return urllib3.HTTPConnectionPool(target.address, **kwargs)
    return urllib3.HTTPSConnectionPool(
        target.address,
        cert_reqs="CERT_REQUIRED",
        server_hostname=target.host,
        assert_hostname=target.host,
        **kwargs,
    )


def request(
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Response:
    """Send one request to ``url`` (checked, resolved once, not redirected) and read the answer
    whole within ``timeout`` seconds and ``max_bytes`` bytes."""
    target = resolve(url)
    deadline = time.monotonic() + timeout
    sent = {"Accept-Encoding": "identity", "User-Agent": "Sohbet", **(headers or {})}
    sent["Host"] = target.host_header
    pool = _pool(target, timeout)
    try:
        response = pool.urlopen(
            method,
            target.path,
            body=body,
            headers=sent,
            redirect=False,
            retries=False,
            assert_same_host=False,
            preload_content=False,
        )
        try:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise OutboundTooLarge(f"the answer of {target.host} is too large")
            chunks, size = [], 0
            while chunk := response.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise OutboundTooLarge(f"the answer of {target.host} is too large")
                if time.monotonic() > deadline:
                    raise OutboundTimeout(f"{target.host} took too long")
                chunks.append(chunk)
        finally:
            response.release_conn()
    except (urllib3.exceptions.TimeoutError, TimeoutError) as exc:
        raise OutboundTimeout(f"{target.host} took too long") from exc
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise OutboundError(f"no answer from {target.host}: {type(exc).__name__}") from exc
    finally:
        pool.close()
    return Response(
        response.status,
        {k.lower(): v for k, v in response.headers.items()},
        b"".join(chunks),
    )


def post_json(
    url: str,
    payload,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Response:
    """POST ``payload`` as JSON (``request``)."""
    return request(
        "POST",
        url,
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            **(headers or {}),
        },
        body=json.dumps(payload, ensure_ascii=False).encode(),
        timeout=timeout,
        max_bytes=max_bytes,
    )
