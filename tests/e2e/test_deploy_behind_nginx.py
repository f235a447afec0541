"""The deployment page, for real: Uvicorn behind Debian's nginx, over TLS.

Each line of the page's nginx config has a test here that fails without it.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import struct
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect
from websockets.sync.server import ServerConnection, serve

from guidekit import live
from tests.conftest import require
from tests.e2e.conftest import assert_quiet, ws_url
from tests.e2e.deploy_proxy import (
    APP,
    CONFIG,
    HOST,
    ProxyCertificate,
    instances,
    make_certificate,
    open_socket,
    proxy,
    receive_json,
    replace_once,
    site_config,
    spki_hash,
    without,
)

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> ProxyCertificate:
    require(live.nginx_available(), live.NGINX)
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def app_servers() -> Iterator[list[live.Server]]:
    with instances(1) as servers:
        yield servers
    assert_quiet(servers[0])


def ports(servers: list[live.Server]) -> list[int]:
    return [server.port for server in servers]


def hello_through(
    certificate: ProxyCertificate, servers: list[live.Server], source: str | None
) -> dict[str, object]:
    with (
        proxy(certificate, ports(servers), source) as running,
        open_socket(running, certificate) as connection,
    ):
        return receive_json(connection)


EXPECTED_HELLO = {
    "type": "hello",
    "heartbeat": 20.0,
    "scheme": "wss",
    "client": "127.0.0.2",
    "host": "chat.example.com",
    "root_path": "/chat",
}


def test_the_app_sees_the_real_client_scheme_and_prefix(
    certificate: ProxyCertificate, app_servers: list[live.Server]
) -> None:
    with (
        proxy(certificate, ports(app_servers)) as running,
        open_socket(running, certificate) as connection,
    ):
        hello = receive_json(connection)
        connection.send(json.dumps({"type": "message", "text": "Hello"}))
        echo = receive_json(connection)
    assert hello == EXPECTED_HELLO
    assert echo == {"type": "echo", "text": "Hello"}


@pytest.mark.parametrize(
    ("line", "status", "body"),
    [
        ("proxy_set_header Upgrade $http_upgrade;", 404, b'{"detail":"Not Found"}'),
        (
            "proxy_set_header Connection $connection_upgrade;",
            404,
            b'{"detail":"Not Found"}',
        ),
    ],
)
def test_without_an_upgrade_header_the_handshake_fails(
    certificate: ProxyCertificate,
    app_servers: list[live.Server],
    line: str,
    status: int,
    body: bytes,
) -> None:
    # The app gets a plain GET /ws, for which it has no HTTP route.
    with pytest.raises(InvalidStatus) as refused:
        hello_through(certificate, app_servers, without(line))
    assert refused.value.response.status_code == status
    assert refused.value.response.body == body


def test_without_the_trailing_slash_the_app_gets_the_prefix_twice(
    certificate: ProxyCertificate, app_servers: list[live.Server]
) -> None:
    source = replace_once(
        CONFIG.read_text(encoding="utf-8"),
        "proxy_pass http://chat_app/;",
        "proxy_pass http://chat_app;",
    )
    with pytest.raises(InvalidStatus) as refused:
        hello_through(certificate, app_servers, source)
    # /chat/ws reaches the app, which looks for /chat/chat/ws: no such route.
    assert refused.value.response.status_code == 403
    assert refused.value.response.body == b""
    assert '"WebSocket /chat/chat/ws" 403' in app_servers[0].output()


@pytest.mark.parametrize(
    ("line", "field", "seen"),
    [
        ("proxy_set_header Host $host;", "host", "chat_app"),
        ("proxy_set_header X-Forwarded-For $remote_addr;", "client", "127.0.0.1"),
        ("proxy_set_header X-Forwarded-Proto $scheme;", "scheme", "ws"),
    ],
)
def test_without_a_forwarded_header_the_app_sees_the_proxy(
    certificate: ProxyCertificate,
    app_servers: list[live.Server],
    line: str,
    field: str,
    seen: str,
) -> None:
    hello = hello_through(certificate, app_servers, without(line))
    assert hello == {**EXPECTED_HELLO, field: seen}


def without_block(start: str) -> str:
    """The page's config without the block that starts with ``start``."""
    text = CONFIG.read_text(encoding="utf-8")
    begin = text.index(start)
    end = text.index("}\n", begin) + 2
    return text[:begin] + text[end:]


@pytest.mark.parametrize(
    ("source", "error"),
    [
        (
            lambda: without_block("    map $http_upgrade"),
            'unknown "connection_upgrade" variable',
        ),
        (lambda: without("events {}"), 'no "events" section in configuration'),
    ],
    ids=["map", "events"],
)
def test_nginx_refuses_the_config_without_it(
    certificate: ProxyCertificate, tmp_path: Path, source: object, error: str
) -> None:
    text = source()  # type: ignore[operator]
    config = site_config(live.free_port(), [live.free_port()], certificate, text)
    checked = live.nginx_check(config, tmp_path)
    assert checked.returncode == 1
    assert error in checked.stderr


def test_uvicorn_accepts_a_handshake_over_http_1_0(
    certificate: ProxyCertificate, app_servers: list[live.Server]
) -> None:
    # Without proxy_http_version 1.1, nginx speaks HTTP/1.0 to the app.
    # Uvicorn upgrades it all the same; the next test shows a server that
    # follows RFC 6455 to the letter and does not.
    source = without("proxy_http_version 1.1;")
    assert hello_through(certificate, app_servers, source) == EXPECTED_HELLO


@pytest.fixture
def strict_server() -> Iterator[int]:
    """A server of the websockets library, which wants HTTP/1.1 as RFC 6455 says."""

    def greet(connection: ServerConnection) -> None:
        connection.send(json.dumps({"type": "hello"}))

    port = live.free_port()
    with serve(greet, "127.0.0.1", port) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield port
        server.shutdown()
    thread.join(timeout=10)


def test_a_strict_server_needs_proxy_http_version_1_1(
    certificate: ProxyCertificate, strict_server: int
) -> None:
    with (
        proxy(certificate, [strict_server]) as running,
        open_socket(running, certificate) as connection,
    ):
        assert receive_json(connection) == {"type": "hello"}
    source = without("proxy_http_version 1.1;")
    with (
        proxy(certificate, [strict_server], source) as running,
        pytest.raises(InvalidStatus) as refused,
    ):
        open_socket(running, certificate)
    assert refused.value.response.status_code == 505


def short_timeout(seconds: int) -> str:
    return replace_once(
        CONFIG.read_text(encoding="utf-8"),
        "proxy_read_timeout 75s;",
        f"proxy_read_timeout {seconds}s;",
    )


@contextmanager
def one_second_proxy(
    certificate: ProxyCertificate, heartbeat: float, pings: float = 0
) -> Iterator[tuple[live.Server, live.Nginx, ClientConnection]]:
    """One instance behind nginx with a 1 s timeout, and a client past its hello.

    Uvicorn's protocol pings are off unless ``pings`` gives their interval.
    """
    args = ("--ws-ping-interval", str(pings))
    with (
        instances(1, *args, env={"HEARTBEAT_INTERVAL": str(heartbeat)}) as servers,
        proxy(certificate, ports(servers), short_timeout(1)) as running,
        open_socket(running, certificate) as connection,
    ):
        receive_json(connection)
        yield servers[0], running, connection
    assert_quiet(servers[0])


def assert_still_open(connection: ClientConnection) -> None:
    connection.send(json.dumps({"type": "message", "text": "still here"}))
    while (reply := receive_json(connection))["type"] == "heartbeat":
        pass
    assert reply == {"type": "echo", "text": "still here"}


def test_a_short_proxy_timeout_closes_a_quiet_socket(
    certificate: ProxyCertificate,
) -> None:
    with one_second_proxy(certificate, heartbeat=60) as (_, running, connection):
        started = time.monotonic()
        with pytest.raises(ConnectionClosed) as closed:
            connection.recv(timeout=10)
        quiet_for = time.monotonic() - started
        log = running.error_log()
    # nginx drops both TCP connections: no close frame, which a client reports as 1006.
    assert closed.value.rcvd is None
    # nginx's clock is coarse (it is read once per event loop turn): about 1 s.
    assert 0.5 <= quiet_for < 8, quiet_for
    assert (
        "upstream timed out (110: Connection timed out) while proxying upgraded connection"
        in log
    )


def answer_heartbeats(connection: ClientConnection, seconds: float) -> int:
    """Answer every heartbeat for ``seconds``; how many came."""
    count = 0
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            message = json.loads(connection.recv(timeout=left))
        except TimeoutError:
            break
        assert message == {"type": "heartbeat"}
        connection.send(json.dumps({"type": "heartbeat"}))
        count += 1
    return count


def test_the_heartbeat_outlasts_a_short_proxy_timeout(
    certificate: ProxyCertificate,
) -> None:
    with one_second_proxy(certificate, heartbeat=0.3) as (_, _, connection):
        beats = answer_heartbeats(connection, 3)  # three times nginx's timeout
        assert_still_open(connection)
    assert beats >= 6


def test_a_talking_client_keeps_a_silent_app_open(
    certificate: ProxyCertificate,
) -> None:
    # nginx's timer counts traffic either way: the client's keeps it open too.
    with one_second_proxy(certificate, heartbeat=60) as (_, _, connection):
        deadline = time.monotonic() + 3  # three times nginx's timeout
        while time.monotonic() < deadline:
            # Heartbeats get no answer: nothing comes back from the app.
            connection.send(json.dumps({"type": "heartbeat"}))
            with pytest.raises(TimeoutError):
                connection.recv(timeout=0.2)
        assert_still_open(connection)


def test_uvicorns_pings_outlast_it_too(certificate: ProxyCertificate) -> None:
    # Pings are frames of the protocol: nginx counts them as data, but a
    # browser's script never sees them.
    with one_second_proxy(certificate, heartbeat=60, pings=0.3) as (_, _, connection):
        with pytest.raises(TimeoutError):
            connection.recv(timeout=3)  # no message, and still open
        assert_still_open(connection)


def test_the_server_closes_a_client_that_stops_answering(
    certificate: ProxyCertificate,
) -> None:
    # The app's heartbeats keep nginx from closing a silent client's socket;
    # the app's own timeout (2.5 heartbeats, 1.5 s here) closes it.
    with one_second_proxy(certificate, heartbeat=0.6) as (_, _, connection):
        started = time.monotonic()
        with pytest.raises(ConnectionClosed) as closed:
            while True:  # heartbeats arrive, and go unanswered
                assert receive_json(connection) == {"type": "heartbeat"}
        waited = time.monotonic() - started
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1000, "no heartbeat")
    # Past nginx's 1 s; the upper bound is for a loaded machine.
    assert 1.4 <= waited < 10, waited


CLIENTS = 6


def test_a_rolling_restart_loses_no_client(certificate: ProxyCertificate) -> None:
    graceful = ("--timeout-graceful-shutdown", "2")
    with (
        instances(2, *graceful) as servers,
        proxy(certificate, ports(servers)) as running,
        ExitStack() as stack,
    ):
        clients = [
            stack.enter_context(open_socket(running, certificate))
            for _ in range(CLIENTS)
        ]
        for connection in clients:
            receive_json(connection)
        started = time.monotonic()
        servers[0].process.terminate()  # SIGTERM, as a rolling restart sends
        # Uvicorn ends by raising the signal again, as a shell expects.
        assert servers[0].process.wait(timeout=10) == -signal.SIGTERM
        codes = []
        for index, connection in enumerate(clients):
            try:
                assert connection.ping().wait(timeout=10)  # on the other instance
            except ConnectionClosed as closed:
                assert closed.rcvd is not None
                codes.append(closed.rcvd.code)
                clients[index] = stack.enter_context(open_socket(running, certificate))
                receive_json(clients[index])
        for connection in clients:
            connection.send(json.dumps({"type": "message", "text": "back"}))
            assert receive_json(connection) == {"type": "echo", "text": "back"}
        took = time.monotonic() - started
    # nginx shares the clients out in turn; those of the stopped instance got
    # 1012 (service restart) and found the other one at their first attempt.
    assert codes == [1012] * (CLIENTS // 2)
    assert took < 2 + 8, took  # the graceful-shutdown bound, and a margin for load
    for server in servers:
        assert_quiet(server)


@pytest.fixture
def tls_browser(browser: Browser, certificate: ProxyCertificate) -> Iterator[Browser]:
    """A Chromium that accepts the test's certificate and finds its host.

    Chromium does not read a CA file; its flag for a test certificate takes
    the hash of the certificate's key instead, and accepts that key alone.
    The host name resolves to loopback, as DNS would resolve it to nginx.
    """
    flags = [
        f"--ignore-certificate-errors-spki-list={spki_hash(certificate)}",
        f"--host-resolver-rules=MAP {HOST} 127.0.0.1",
    ]
    second = browser.browser_type.launch(
        executable_path=live.CHROMIUM, headless=True, args=[*live.CHROMIUM_ARGS, *flags]
    )
    yield second
    second.close()


def test_chromium_uses_wss_and_reconnects_when_the_server_falls_silent(
    tls_browser: Browser, certificate: ProxyCertificate
) -> None:
    with (
        instances(1, env={"HEARTBEAT_INTERVAL": "0.5"}) as servers,
        proxy(certificate, ports(servers)) as running,
    ):
        page = tls_browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        sockets: list[str] = []
        page.on("websocket", lambda socket: sockets.append(socket.url))
        handshakes: list[dict[str, str]] = []
        devtools = page.context.new_cdp_session(page)
        devtools.on(
            "Network.webSocketHandshakeResponseReceived",
            lambda event: handshakes.append(event["response"]["headers"]),
        )
        devtools.send("Network.enable")
        page.goto(f"https://{HOST}:{running.port}/chat/")
        state = page.locator("#state")
        expect(state).to_have_text("connected")
        page.fill("#message", "Hello over TLS")
        page.click("#send")
        expect(page.locator("#messages li")).to_have_text(["Hello over TLS"])
        # A server that stops without a word: no heartbeat comes any more.
        with live.paused(servers[0].process):
            expect(state).to_have_text(re.compile(r"^reconnecting in [01] s$"))
        expect(state).to_have_text("connected")
        page.close()
    assert sockets[:2] == [f"wss://{HOST}:{running.port}/chat/ws"] * 2
    assert errors == []
    # Chromium accepted the compression Uvicorn offered.
    assert handshakes[0]["Sec-WebSocket-Extensions"].startswith("permessage-deflate")
    assert_quiet(servers[0])


def test_limit_concurrency_does_not_count_open_websockets() -> None:
    with live.uvicorn(APP, "--limit-concurrency", "2") as server, ExitStack() as stack:
        url = ws_url(server, "/ws")
        sockets = [stack.enter_context(connect(url)) for _ in range(3)]
        hellos = [receive_json(socket) for socket in sockets]
    assert [hello["type"] for hello in hellos] == ["hello"] * 3
    assert_quiet(server)


def test_the_apps_own_cap_says_try_again_later() -> None:
    with (
        live.uvicorn(APP, env={"MAX_CONNECTIONS": "2"}) as server,
        connect(ws_url(server, "/ws")) as first,
        connect(ws_url(server, "/ws")) as second,
        connect(ws_url(server, "/ws")) as third,
    ):
        assert receive_json(first)["type"] == receive_json(second)["type"] == "hello"
        with pytest.raises(ConnectionClosed) as closed:
            third.recv(timeout=10)
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1013, "server full")
    assert_quiet(server)


@pytest.mark.parametrize(
    ("flags", "extensions"),
    [
        ((), "permessage-deflate"),
        (("--ws-per-message-deflate", "false"), None),
    ],
)
def test_compression_is_on_unless_turned_off(
    flags: tuple[str, ...], extensions: str | None
) -> None:
    with live.uvicorn(APP, *flags) as server, connect(ws_url(server, "/ws")) as socket:
        receive_json(socket)
        agreed = socket.response.headers.get("Sec-WebSocket-Extensions")
    if extensions is None:
        assert agreed is None
    else:
        assert agreed is not None and agreed.startswith(extensions)


def test_chromium_waits_at_least_five_seconds_after_server_full(
    tls_browser: Browser, certificate: ProxyCertificate
) -> None:
    with (
        instances(1, env={"MAX_CONNECTIONS": "1"}) as servers,
        proxy(certificate, ports(servers)) as running,
    ):
        context = tls_browser.new_context()
        url = f"https://{HOST}:{running.port}/chat/"
        first, second = context.new_page(), context.new_page()
        first.goto(url)
        expect(first.locator("#state")).to_have_text("connected")
        second.goto(url)
        # 1013: a delay of 5 s, plus up to 1 s of jitter.
        expect(second.locator("#state")).to_have_text(
            re.compile(r"^reconnecting in [56] s$")
        )
        context.close()
    assert_quiet(servers[0])


METRICS_APP = "docs_src.deploy.metrics:app"


def scrape(server: live.Server) -> dict[str, float]:
    """The app's series, from its /metrics page, as Prometheus reads them."""
    with urllib.request.urlopen(f"{server.url}/metrics", timeout=10) as response:
        text = response.read().decode("utf-8")
    series: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, number = line.rsplit(" ", 1)
            series[name] = float(number)
    return series


def scrape_when_all_closed(server: live.Server) -> dict[str, float]:
    deadline = time.monotonic() + 10
    while (series := scrape(server))["websocket_connections_open"] != 0:
        assert time.monotonic() < deadline, series
        time.sleep(0.02)  # a poll interval, not a wait for an outcome
    return series


def test_the_metrics_after_a_scripted_session() -> None:
    with live.uvicorn(METRICS_APP) as server:
        url = ws_url(server, "/ws")
        with pytest.raises(InvalidStatus):
            connect(f"{url}/not-a-number")  # a client ID must be a number
        with connect(f"{url}/1") as alice:
            with connect(f"{url}/2") as bob:
                alice.send("Hi")
                assert [alice.recv(timeout=10) for _ in range(2)] == [
                    "You wrote: Hi",
                    "Client #1 says: Hi",
                ]
                assert bob.recv(timeout=10) == "Client #1 says: Hi"
            assert alice.recv(timeout=10) == "Client #2 left the chat"
            with connect(f"{url}/3") as carol:
                # Carol's machine drops off the network: a reset, no close frame.
                carol.socket.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                carol.socket.close()
                assert alice.recv(timeout=10) == "Client #3 left the chat"
            with connect(f"{url}/4") as dave:
                dave.send(b"\x00")  # binary, in a text chat
                with pytest.raises(ConnectionClosed) as closed:
                    dave.recv(timeout=10)
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 1003
                assert alice.recv(timeout=10) == "Client #4 left the chat"
        series = scrape_when_all_closed(server)
    assert {
        name: value
        for name, value in series.items()
        if "python_" not in name and "process_" not in name
    } == {
        "websocket_connections_open": 0.0,
        "websocket_messages_received_total": 2.0,
        "websocket_messages_sent_total": 6.0,
        'websocket_closes_total{by="client",code="1000"}': 2.0,
        # What Uvicorn reports when a client vanishes while the app waits for it.
        'websocket_closes_total{by="client",code="1005"}': 1.0,
        'websocket_closes_total{by="server",code="1003"}': 1.0,
        'websocket_handshakes_refused_total{status="403"}': 1.0,
        "chat_queued_messages": 0.0,
    }
    assert_quiet(server)


def test_with_one_upstream_a_restart_refuses_every_reconnection(
    certificate: ProxyCertificate,
) -> None:
    with instances(1) as servers, proxy(certificate, ports(servers)) as running:
        with open_socket(running, certificate) as connection:
            receive_json(connection)
            servers[0].process.terminate()
            with pytest.raises(ConnectionClosed) as closed:
                connection.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012
        assert servers[0].process.wait(timeout=10) == -signal.SIGTERM
        with pytest.raises(InvalidStatus) as refused:
            open_socket(running, certificate)
    assert refused.value.response.status_code == 502  # Bad Gateway
