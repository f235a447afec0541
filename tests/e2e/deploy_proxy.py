"""The deployment page's nginx config, run for real in front of real Uvicorns.

The config is the file the page shows, ``docs_src/deploy/nginx.conf``. A test
changes only what must differ on a test machine: the port nginx listens on,
the upstreams' ports and the certificate's paths. Each of those is replaced
exactly once, so a change to the file that a test would silently miss fails.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import ssl
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import trustme
from websockets.sync.client import ClientConnection, connect

from guidekit import live
from tests.conftest import ROOT

CONFIG = ROOT / "docs_src" / "deploy" / "nginx.conf"
APP = "docs_src.deploy.heartbeat:app"
HOST = "chat.example.com"  # the name the certificate is made for
UPSTREAMS = ("127.0.0.1:8001", "127.0.0.1:8002")


@dataclass(frozen=True)
class ProxyCertificate:
    """A CA made for the tests, and a certificate it signed for ``HOST``."""

    ca: trustme.CA
    cert: Path
    key: Path

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        self.ca.configure_trust(context)
        return context


def make_certificate(folder: Path) -> ProxyCertificate:
    ca = trustme.CA()
    issued = ca.issue_cert(HOST, "localhost", "127.0.0.1")
    cert, key = folder / "chat.crt", folder / "chat.key"
    issued.cert_chain_pems[0].write_to_path(cert)
    issued.private_key_pem.write_to_path(key)
    return ProxyCertificate(ca, cert, key)


def replace_once(text: str, old: str, new: str) -> str:
    count = text.count(old)
    assert count == 1, f"{CONFIG}: expected {old!r} once, found it {count} times"
    return text.replace(old, new)


def site_config(
    port: int,
    upstreams: list[int],
    certificate: ProxyCertificate,
    source: str | None = None,
) -> str:
    """The page's config, listening on ``port`` in front of ``upstreams``."""
    text = CONFIG.read_text(encoding="utf-8") if source is None else source
    text = replace_once(text, "listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;")
    text = replace_once(
        text, "/etc/nginx/tls/chat.example.com.crt", str(certificate.cert)
    )
    text = replace_once(
        text, "/etc/nginx/tls/chat.example.com.key", str(certificate.key)
    )
    for placeholder, upstream in zip(UPSTREAMS, upstreams, strict=False):
        text = replace_once(text, placeholder, f"127.0.0.1:{upstream}")
    for placeholder in UPSTREAMS[len(upstreams) :]:
        text = replace_once(text, f"        server {placeholder};\n", "")
    return text


def without(line: str, text: str | None = None) -> str:
    """The page's config with one of its lines left out."""
    source = CONFIG.read_text(encoding="utf-8") if text is None else text
    return replace_once(source, f"{line}\n", "")


@contextmanager
def proxy(
    certificate: ProxyCertificate,
    upstreams: list[int],
    source: str | None = None,
) -> Iterator[live.Nginx]:
    """nginx with the page's config (or ``source``) in front of ``upstreams``."""
    port = live.free_port()
    config = site_config(port, upstreams, certificate, source)
    with live.nginx(config, port) as running:
        yield running


@contextmanager
def instances(
    count: int, *uvicorn_args: str, env: dict[str, str] | None = None
) -> Iterator[list[live.Server]]:
    """``count`` Uvicorns of the heartbeat app, served under /chat as on the page."""
    with ExitStack() as stack:
        yield [
            stack.enter_context(
                live.uvicorn(APP, "--root-path", "/chat", *uvicorn_args, env=env)
            )
            for _ in range(count)
        ]


def open_socket(
    proxy: live.Nginx,
    certificate: ProxyCertificate,
    source_address: str = "127.0.0.2",
    **options: object,
) -> ClientConnection:
    """A wss:// connection to the app through nginx, from ``source_address``.

    The whole 127.0.0.0/8 block is loopback: a client on 127.0.0.2 is told
    apart from nginx, which reaches the app from 127.0.0.1.
    """
    sock = socket.create_connection(
        ("127.0.0.1", proxy.port), timeout=10, source_address=(source_address, 0)
    )
    return connect(
        f"wss://{HOST}:{proxy.port}/chat/ws",
        sock=sock,
        ssl=certificate.client_context(),
        server_hostname=HOST,
        open_timeout=10,
        **options,  # type: ignore[arg-type]
    )


def receive_json(
    connection: ClientConnection, timeout: float = 10
) -> dict[str, object]:
    message = connection.recv(timeout=timeout)
    assert isinstance(message, str)
    data = json.loads(message)
    assert isinstance(data, dict)
    return data


def spki_hash(certificate: ProxyCertificate) -> str:
    """What Chromium's --ignore-certificate-errors-spki-list wants for the cert."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    cert = x509.load_pem_x509_certificate(certificate.cert.read_bytes())
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(spki).digest()).decode("ascii")
