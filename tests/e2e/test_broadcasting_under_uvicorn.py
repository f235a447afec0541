"""The broadcasting examples under real Uvicorn, with real clients.

Three kinds of client: healthy ones that read everything, ghosts that vanish
with a TCP reset, and a stalled one that completes the handshake and then
reads nothing, so that the server's writes to it back up.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest
from websockets.exceptions import ConnectionClosed, ConnectionClosedError
from websockets.sync.client import ClientConnection, connect

from guidekit import live
from tests.e2e.conftest import (
    TIMEOUT,
    healthy,
    receive,
    receive_until,
    reset,
    stalled,
    ws_url,
)

QUIET = 2  # seconds without the next message: the client is held up
RELIABLE = "docs_src.broadcasting.reliable:app"
# The page's naive manager, behind the endpoint most chat examples write.
NAIVE = "tests.broadcasting.naive_chat:app"
# The loops that wait for every client in turn, including the tutorial's.
WAITING_LOOPS = [
    pytest.param(NAIVE, id="naive"),
    pytest.param("docs_src.broadcasting.gather:app", id="gather"),
    pytest.param("docs_src.tutorial.chat:app", id="tutorial-chat"),
]


def wait_for_log(server: live.Server, text: str) -> str:
    deadline = time.monotonic() + TIMEOUT
    while text not in (output := server.output()):
        assert time.monotonic() < deadline, f"{text!r} not in the log:\n{output}"
        time.sleep(0.05)  # a poll interval, not a wait for an outcome
    return output


# Churn: fifty clients vanish in the middle of a burst of broadcasts.

GHOSTS = range(100, 150)
BURST = [f"m{number}" for number in range(200)]
WATCHER = 4  # a healthy client that only tells the test how far the server is


@contextmanager
def churn(server: live.Server) -> Iterator[tuple[ClientConnection, ...]]:
    """A sender and two observers stay; the ghosts vanish halfway through.

    The ghosts drop while the server is busy: it next looks at its sockets
    with fifty closed connections and the rest of the burst waiting, the
    closes first. Which handler meets a dead connection first then no
    longer depends on how the machine schedules the two processes.
    """
    with ExitStack() as stack:
        clients = [
            stack.enter_context(healthy(server, f"/ws/{n}", ping_interval=None))
            for n in (1, 2, 3)
        ]
        watcher = stack.enter_context(healthy(server, f"/ws/{WATCHER}"))
        ghosts = [
            stack.enter_context(connect(ws_url(server, f"/ws/{n}"))) for n in GHOSTS
        ]
        middle = len(BURST) // 2
        for text in BURST[: middle + 1]:
            clients[0].send(text)
        # The server has read the sender's half of the burst, and polled its
        # sockets again since (it answered a ping), so the sender's socket is
        # not waiting ahead of the ghosts'.
        receive_until(watcher, f"Client #1 says: {BURST[middle]}")
        assert watcher.ping().wait(TIMEOUT)
        with live.paused(server.process):
            for ghost in ghosts:
                reset(ghost)
            for text in BURST[middle + 1 :]:
                clients[0].send(text)
        yield tuple(clients)


def receive_all(connection: ClientConnection) -> list[str]:
    """Receive until the last message and every ghost's goodbye have arrived.

    Goodbyes come from other handlers than the sender's, so they may arrive
    before or after the sender's last message.
    """
    messages: list[str] = []
    while "Client #1 says: end" not in messages or sum(
        m.endswith(" left the chat") for m in messages
    ) < len(GHOSTS):
        messages.append(receive(connection))
    return messages


# The loops that deal with failed sends: reliable.py, gather.py, and the tutorial's.
CAREFUL_LOOPS = [
    pytest.param(RELIABLE, id="reliable"),
    pytest.param("docs_src.broadcasting.gather:app", id="gather"),
    pytest.param("docs_src.tutorial.chat:app", id="tutorial-chat"),
]


@pytest.mark.parametrize("app", CAREFUL_LOOPS)
def test_nothing_is_lost_when_clients_vanish(app: str) -> None:
    with live.uvicorn(app) as server, churn(server) as (sender, *observers):
        sender.send("end")
        seen_by_sender = receive_all(sender)
        seen = [receive_all(observer) for observer in observers]
        output = server.output()

    texts = [*BURST, "end"]
    says = [f"Client #1 says: {text}" for text in texts]
    left = sorted(f"Client #{n} left the chat" for n in GHOSTS)
    assert [m for m in seen_by_sender if m.startswith("You wrote: ")] == [
        f"You wrote: {text}" for text in texts
    ]
    assert [m for m in seen_by_sender if " says: " in m] == says
    assert sorted(m for m in seen_by_sender if m.endswith(" left the chat")) == left
    assert len(seen_by_sender) == 2 * len(texts) + len(left)
    for seen_by_observer in seen:
        assert [m for m in seen_by_observer if " says: " in m] == says
        assert sorted(m for m in seen_by_observer if m.endswith(" left the chat")) == (
            left
        )
        assert len(seen_by_observer) == len(texts) + len(left)
    assert "Traceback" not in output
    assert "ERROR" not in output


def test_naive_crashes_when_clients_vanish() -> None:
    with live.uvicorn(NAIVE) as server, churn(server) as (sender, *_):
        seen_by_sender = []
        with pytest.raises(ConnectionClosedError) as cut_off:
            while True:
                seen_by_sender.append(receive(sender))
        output = wait_for_log(server, "Exception in ASGI application")
    # A send to a client that had gone raised in the sender's handler, which
    # crashed: the sender was cut off, with no close frame, halfway through.
    assert cut_off.value.rcvd is None
    assert len(seen_by_sender) < 2 * len(BURST)
    assert 'naive.py", line' in output
    assert "in broadcast" in output
    assert "\nstarlette.websockets.WebSocketDisconnect\n" in output


# A stalled client: it stays connected and reads nothing.

MESSAGES = 300  # enough to fill the stalled client's buffers and its queue
PAYLOAD_SIZE = 32 * 1024


def payload(number: int) -> str:
    # Incompressible, so that the bytes really pile up.
    return f"{number:03d}:" + os.urandom(PAYLOAD_SIZE // 2).hex()


def lockstep(
    sender: ClientConnection, observer: ClientConnection, *, reliable: bool
) -> tuple[list[str], list[str]]:
    """Send one message at a time until the observer stops getting them.

    Returns what was sent, and what the observer got: all of it, each
    message within QUIET seconds, unless something held it up.

    With the ``reliable`` manager, the sender also reads its own two copies
    of each message as it goes, so that only the stalled client ever has
    anything waiting for it; a waiting loop may not have sent the sender its
    copy yet when the observer has one (a set has no order).
    """
    sent: list[str] = []
    seen: list[str] = []
    for number in range(MESSAGES):
        sent.append(payload(number))
        sender.send(sent[-1])
        try:
            seen.append(receive(observer, timeout=QUIET))
        except TimeoutError:
            break
        assert seen[-1] == f"Client #1 says: {sent[-1]}"
        if not reliable:
            continue
        assert [receive(sender), receive(sender)] == [
            f"You wrote: {sent[-1]}",
            f"Client #1 says: {sent[-1]}",
        ]
    return sent, seen


def drain(connection: ClientConnection) -> tuple[list[str], ConnectionClosed]:
    """Start reading at last: everything that waited, up to the close."""
    messages: list[str] = []
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            messages.append(receive(connection))
    return messages, closed.value


def test_reliable_drops_a_stalled_client_and_nobody_waits() -> None:
    with (
        live.uvicorn(RELIABLE) as server,
        stalled(server, "/ws/3") as slow,
        healthy(server, "/ws/1", compression=None) as sender,
        healthy(server, "/ws/2", compression=None) as observer,
    ):
        sent, seen_by_observer = lockstep(sender, observer, reliable=True)
        seen_by_slow, closed = drain(slow)
        # Its handler noticed the close and said goodbye.
        assert receive(observer) == "Client #3 left the chat"
        sender.send("still here")
        seen_by_sender = receive_until(sender, "Client #1 says: still here")
        output = server.output()

    says = [f"Client #1 says: {text}" for text in sent]
    assert seen_by_observer == says  # all of them, each within QUIET seconds
    # The sender got its own copies all along (lockstep checks them), then:
    assert seen_by_sender == [
        "Client #3 left the chat",
        "You wrote: still here",
        "Client #1 says: still here",
    ]
    # The stalled client got the start of the conversation, in order, then
    # the close: the rest was dropped with it, more than a queue's worth.
    assert closed.rcvd is not None
    assert closed.rcvd.code == 1013
    assert closed.rcvd.reason == ""
    assert 0 < len(seen_by_slow) < len(says) - 100
    assert seen_by_slow == says[: len(seen_by_slow)]
    assert "Traceback" not in output


@pytest.mark.parametrize("app", WAITING_LOOPS)
def test_a_waiting_loop_is_held_up_by_a_stalled_client(app: str) -> None:
    with (
        live.uvicorn(app) as server,
        stalled(server, "/ws/3") as slow,
        healthy(
            server,
            "/ws/1",
            compression=None,
            ping_interval=0.5,
            ping_timeout=1,
            close_timeout=1,
        ) as sender,
        healthy(server, "/ws/2", compression=None) as observer,
    ):
        _, seen_by_observer = lockstep(sender, observer, reliable=False)
        held_at = len(seen_by_observer)
        assert held_at < MESSAGES  # the observer waited QUIET seconds for nothing

        # The sender's handler is stuck too. Uvicorn stops reading a socket
        # while a message from it waits for the app, so once the sender says
        # anything more, its pings go unanswered and it gives up.
        with pytest.raises(ConnectionClosedError) as timed_out:
            sender.send("are you there?")
            while True:
                receive(sender)
        assert timed_out.value.rcvd is None
        assert timed_out.value.sent is not None
        assert timed_out.value.sent.code == 1011
        assert timed_out.value.sent.reason == "keepalive ping timeout"

        # Once the stalled client reads, the loop moves on, and the observer
        # gets the message it waited for, or hears that the sender has gone.
        held_up = f"Client #1 says: {held_at:03d}:"
        while not receive(slow).startswith(held_up):
            pass
        after = receive(observer)
    assert after.startswith(held_up) or after == "Client #1 left the chat"


def test_reliable_keeps_up_with_a_burst_from_one_client() -> None:
    # Thousands of small messages reach the server in a few reads; the
    # endpoint's pause lets the writers keep up, so nobody is dropped.
    texts = [f"m{number}" for number in range(5000)]
    with (
        live.uvicorn(RELIABLE) as server,
        healthy(server, "/ws/1") as sender,
        healthy(server, "/ws/2") as observer,
    ):
        for text in texts:
            sender.send(text)
        seen_by_sender = receive_until(sender, f"Client #1 says: {texts[-1]}")
        seen_by_observer = receive_until(observer, f"Client #1 says: {texts[-1]}")
    assert seen_by_sender[0::2] == [f"You wrote: {text}" for text in texts]
    assert seen_by_sender[1::2] == [f"Client #1 says: {text}" for text in texts]
    assert seen_by_observer == [f"Client #1 says: {text}" for text in texts]


def test_a_stalled_client_holds_up_uvicorns_shutdown_until_its_timeout() -> None:
    # The page's advice, scaled down: a graceful-shutdown timeout longer than
    # the chat's close timeout (10 s and 15 s on the page).
    env = {"CHAT_CLOSE_TIMEOUT": "1"}
    with (
        live.uvicorn(RELIABLE, "--timeout-graceful-shutdown", "3", env=env) as server,
        stalled(server, "/ws/3"),
        healthy(server, "/ws/1", compression=None) as sender,
        healthy(server, "/ws/2", compression=None) as observer,
    ):
        _, seen_by_observer = lockstep(sender, observer, reliable=True)
        # Every message arrived, and the stalled client is full.
        assert len(seen_by_observer) == MESSAGES, server.output()[-3000:]
        server.process.terminate()
        server.process.wait(timeout=TIMEOUT)
        output = server.output()
    # Its connection could not close, so only the timeout ended the wait; by
    # then its handler had given up on the close, so nothing was cancelled.
    lines = output.splitlines()
    assert "INFO:     Waiting for connections to close. (CTRL+C to force quit)" in lines
    assert (
        "ERROR:    Cancel 0 running task(s), timeout graceful shutdown exceeded"
    ) in lines
    assert "INFO:     Application shutdown complete." in lines
    assert "Traceback" not in output


# A dropped client that stays stalled for longer than its close may wait.

SHORT_CLOSE = 1.0  # seconds: CHAT_CLOSE_TIMEOUT for these runs


@pytest.mark.timeout(60)
def test_a_client_stalled_past_the_close_timeout_is_still_let_go() -> None:
    env = {"CHAT_CLOSE_TIMEOUT": str(SHORT_CLOSE)}
    with (
        live.uvicorn(RELIABLE, env=env) as server,
        stalled(server, "/ws/3") as slow,
        healthy(server, "/ws/1", compression=None) as sender,
        healthy(server, "/ws/2", compression=None) as observer,
    ):
        sent, seen_by_observer = lockstep(sender, observer, reliable=True)
        assert len(seen_by_observer) == MESSAGES  # it was dropped on the way
        dropped_by = time.monotonic()
        # It speaks after the drop: nobody may hear it.
        slow.send("am I still here?")
        # Its close frame cannot leave; once the close has waited
        # CLOSE_TIMEOUT, its handler ends and says goodbye.
        goodbye = receive(observer, timeout=SHORT_CLOSE + 2)
        waited = time.monotonic() - dropped_by
        started = time.monotonic()
        seen_by_slow, closed = drain(slow)
        drained_in = time.monotonic() - started
        sender.send("still here")
        seen_by_sender = receive_until(sender, "Client #1 says: still here")
        output = server.output()

    assert goodbye == "Client #3 left the chat"
    assert waited < SHORT_CLOSE + 2
    assert seen_by_sender == [
        "Client #3 left the chat",
        "You wrote: still here",
        "Client #1 says: still here",
    ]
    # When it reads at last, it gets what was already on its way, then the
    # end of the connection: it knows to reconnect.
    says = [f"Client #1 says: {text}" for text in sent]
    assert 0 < len(seen_by_slow) < len(says) - 100
    assert seen_by_slow == says[: len(seen_by_slow)]
    assert closed.rcvd is None  # no close frame: the connection just ended
    assert drained_in < 2
    assert "Traceback" not in output
    assert "ERROR" not in output


# Hostile input: every chat app of these pages refuses it cleanly (the naive
# manager is shown alone, as what not to copy).

EVERY_CHAT = [
    pytest.param("docs_src.broadcasting.gather:app", id="gather"),
    pytest.param(RELIABLE, id="reliable"),
    pytest.param("docs_src.scaling.pubsub:app", id="pubsub"),
]


@pytest.mark.parametrize("app", EVERY_CHAT)
def test_a_binary_frame_is_refused_with_1003(app: str) -> None:
    with (
        live.uvicorn(app, env={"REDIS_URL": ""}) as server,
        healthy(server, "/ws/1") as alice,
        healthy(server, "/ws/2") as bob,
    ):
        bob.send(b"\x00\x01")
        with pytest.raises(ConnectionClosedError) as closed:
            receive(bob)
        assert receive(alice) == "Client #2 left the chat"
        output = server.output()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1003
    assert "Traceback" not in output
    assert "ERROR" not in output


@pytest.mark.parametrize("app", EVERY_CHAT)
def test_a_client_that_leaves_at_once_leaves_no_trace(app: str) -> None:
    with live.uvicorn(app, env={"REDIS_URL": ""}) as server:
        with healthy(server, "/ws/1") as alice:
            with connect(ws_url(server, "/ws/2")) as bob:
                bob.send("hi and bye")
                reset(bob)
            seen = receive_until(alice, "Client #2 left the chat")
        output = server.output()
    assert seen[-1] == "Client #2 left the chat"
    assert set(seen[:-1]) <= {"Client #2 says: hi and bye"}
    assert "Traceback" not in output
    assert "ERROR" not in output


def test_uvicorn_closes_open_connections_with_1012_when_it_stops() -> None:
    with live.uvicorn(RELIABLE) as server, healthy(server, "/ws/1") as alice:
        alice.send("hello")
        receive_until(alice, "Client #1 says: hello")
        server.process.terminate()
        with pytest.raises(ConnectionClosed) as closed:
            receive(alice)
        server.process.wait(timeout=TIMEOUT)
        output = server.output()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1012
    assert "Application shutdown complete." in output
    assert "Traceback" not in output
