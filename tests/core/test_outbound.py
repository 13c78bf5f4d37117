"""Outgoing HTTP to addresses a workspace configures (apps.core.outbound): refused unless public
http(s), connected to the address that was checked, not redirected, bounded in time and size.
Against a small HTTP server of the test on 127.0.0.1, reachable only with the tests' loopback
setting on."""

import datetime
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from apps.core import outbound


class Server:
    """Answers every GET with ``body`` (or a redirect to ``location``); records each request's
    path and Host header; with ``hold`` set, waits for the test to end before answering."""

    def __init__(self):
        self.seen: list[tuple[str, str]] = []
        self.body = b"hello"
        self.location = ""
        self.hold = False
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.seen.append((self.path, self.headers.get("Host", "")))
                if server.hold:
                    server.release.wait(timeout=30)
                    return
                if server.location:
                    self.send_response(302)
                    self.send_header("Location", server.location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, format, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def close(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    running = Server()
    yield running
    running.close()


def _certificate(name: str, folder) -> tuple[str, str]:
    """A self-signed certificate for ``name`` (its own authority) and its key, as files."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / f"{name}.pem", folder / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


@pytest.fixture
def tls_server(server, tmp_path, monkeypatch):
    """``server`` over TLS with a certificate for "shop.test", which the client trusts (its
    default trust store read from SSL_CERT_FILE); records the server name the client sent."""
    cert, key = _certificate("shop.test", tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.sni = []
    context.sni_callback = lambda sock, name, ctx: server.sni.append(name)
    server.httpd.socket = context.wrap_socket(server.httpd.socket, server_side=True)
    monkeypatch.setenv("SSL_CERT_FILE", cert)
    return server


def _resolve_to_loopback(monkeypatch, *names: str) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        return real("127.0.0.1" if host in names else host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def loopback(settings):
    settings.OUTBOUND_ALLOW_LOOPBACK = True


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.8.9.10:8080/",
        "http://[::1]/",
        "http://10.0.0.1/",
        "http://172.16.5.4/",
        "http://192.168.1.1/",
        "http://100.64.0.1/",  # carrier-grade NAT
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://[fd00:ec2::254]/",  # cloud metadata over IPv6
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped IPv6
        "http://[::ffff:a9fe:a9fe]/",  # 169.254.169.254, mapped
        "http://[64:ff9b::a00:1]/",  # 10.0.0.1 through NAT64
        "http://[2002:7f00:1::]/",  # 127.0.0.1 through 6to4
        "http://0.0.0.0/",
        "http://[::]/",
        "http://224.0.0.1/",
        "http://[ff02::1]/",
        "http://240.0.0.1/",  # reserved
        "http://255.255.255.255/",
        "http://2130706433/",  # 127.0.0.1 written as a number
    ],
)
def test_local_private_and_metadata_addresses_are_refused(url):
    with pytest.raises(outbound.OutboundRefused) as refused:
        outbound.request("GET", url, timeout=1)
    assert refused.value.reason == "address"


def test_a_name_that_resolves_to_loopback_is_refused(server):
    with pytest.raises(outbound.OutboundRefused) as refused:
        outbound.request("GET", f"http://localhost:{server.port}/", timeout=1)
    assert refused.value.reason == "address"
    assert server.seen == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/file", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("gopher://example.com:70/", "scheme"),
        ("javascript:alert(1)", "scheme"),
        ("//example.com/", "scheme"),
        ("http:///path", "url"),
        ("http://example.com:99999/", "url"),
        ("http://user:secret@example.com/", "credentials"),
        ("http://no-such-host.invalid/", "unresolvable"),
    ],
)
def test_other_schemes_credentials_and_unknown_hosts_are_refused(url, reason):
    with pytest.raises(outbound.OutboundRefused) as refused:
        outbound.request("GET", url, timeout=1)
    assert refused.value.reason == reason


def test_the_loopback_test_server_answers_only_with_the_setting_on(server, settings):
    url = f"http://127.0.0.1:{server.port}/status?x=1"
    with pytest.raises(outbound.OutboundRefused):
        outbound.request("GET", url, timeout=1)
    assert server.seen == []

    settings.OUTBOUND_ALLOW_LOOPBACK = True
    response = outbound.request("GET", url, timeout=5)
    assert response.ok and response.body == b"hello"
    assert server.seen == [("/status?x=1", f"127.0.0.1:{server.port}")]
    # The setting lets loopback through, nothing else.
    with pytest.raises(outbound.OutboundRefused):
        outbound.request("GET", "http://10.0.0.1/", timeout=1)
    with pytest.raises(outbound.OutboundRefused):
        outbound.request("GET", "http://169.254.169.254/", timeout=1)


def test_the_host_is_resolved_once_and_the_checked_address_is_the_one_called(
    server, loopback, monkeypatch
):
    """A DNS answer that changes between the check and the connection (rebinding) changes
    nothing: the name is resolved once, the connection goes to that address, with the name as
    the Host header."""
    real = socket.getaddrinfo
    answers = iter(["127.0.0.1", "10.9.9.9"])
    asked: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host == "shop.test":
            asked.append(host)
            return real(next(answers), port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    response = outbound.request("GET", f"http://shop.test:{server.port}/", timeout=5)
    assert response.ok
    assert asked == ["shop.test"]
    assert server.seen == [("/", f"shop.test:{server.port}")]


def test_a_name_with_any_refused_address_is_refused(monkeypatch):
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host == "mixed.test":
            return real("93.184.215.14", port, *args, **kwargs) + real(
                "10.0.0.1", port, *args, **kwargs
            )
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with pytest.raises(outbound.OutboundRefused):
        outbound.request("GET", "http://mixed.test/", timeout=1)


def test_redirects_are_not_followed(server, loopback):
    server.location = "http://169.254.169.254/latest/meta-data/"
    response = outbound.request("GET", f"http://127.0.0.1:{server.port}/go", timeout=5)
    assert response.status == 302 and not response.ok
    assert response.headers["location"] == server.location
    assert len(server.seen) == 1


def test_an_answer_larger_than_the_cap_is_refused(server, loopback):
    server.body = b"x" * 100_000
    with pytest.raises(outbound.OutboundTooLarge):
        outbound.request("GET", f"http://127.0.0.1:{server.port}/", timeout=5, max_bytes=10_000)


def test_a_server_slower_than_the_timeout_gives_a_timeout(server, loopback):
    server.hold = True
    with pytest.raises(outbound.OutboundTimeout):
        outbound.request("GET", f"http://127.0.0.1:{server.port}/", timeout=0.2)
    assert len(server.seen) == 1


def test_a_closed_port_is_an_error_not_a_hang(loopback):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(outbound.OutboundError) as failed:
        outbound.request("GET", f"http://127.0.0.1:{port}/", timeout=2)
    assert not isinstance(failed.value, outbound.OutboundRefused)


def test_https_to_the_checked_address_sends_the_name_and_checks_the_certificate_for_it(
    tls_server, loopback, monkeypatch
):
    _resolve_to_loopback(monkeypatch, "shop.test", "other.test")
    response = outbound.request("GET", f"https://shop.test:{tls_server.port}/v1", timeout=5)
    assert response.ok and response.body == b"hello"
    assert tls_server.sni == ["shop.test"]
    assert tls_server.seen == [("/v1", f"shop.test:{tls_server.port}")]
    # Another name on the same address: its certificate does not match, nothing is read.
    with pytest.raises(outbound.OutboundError) as failed:
        outbound.request("GET", f"https://other.test:{tls_server.port}/v1", timeout=5)
    assert not isinstance(failed.value, outbound.OutboundRefused)
    assert len(tls_server.seen) == 1
