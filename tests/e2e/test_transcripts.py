"""What the pages say a client sees is what a real client sees.

Each transcript beside an example is run again under uvicorn with the
websockets client; claims in the text of a page are tied to a run with
``transcripts.claim``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from guidekit import live, transcripts
from tests.e2e.conftest import ws_url

FILES = transcripts.find()


def test_there_are_transcripts() -> None:
    names = [path.relative_to(transcripts.ROOT).as_posix() for path in FILES]
    assert "docs_src/tutorial/echo.session.txt" in names


@pytest.mark.timeout(30)
@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_transcript_matches_the_wire(path: Path) -> None:
    transcript = transcripts.parse(path)
    with live.uvicorn(transcript.app) as server:
        lines = transcripts.run(transcript, server.url, record=False)
    assert lines == transcript.expected, transcripts.diff(transcript, lines)


def test_a_changed_reply_fails_with_a_diff_and_the_command(tmp_path: Path) -> None:
    path = transcripts.ROOT / "docs_src/tutorial/echo.session.txt"
    transcript = transcripts.parse(path)
    edited = [line.replace("You said", "You typed") for line in transcript.expected]
    stale = transcripts.Transcript(
        path, transcript.url, transcript.target, transcript.sent, edited
    )
    with live.uvicorn(stale.app) as server:
        lines = transcripts.run(stale, server.url, record=False)
    assert lines != stale.expected
    report = transcripts.diff(stale, lines)
    assert "-< You typed: Hello\n+< You said: Hello" in report
    assert report.endswith(
        "docs_src/tutorial/echo.session.txt: differs from the wire; if the change "
        "is intended, run 'scripts/transcripts.py --write "
        "docs_src/tutorial/echo.session.txt'"
    )


def test_refusal_before_accept_is_403_forbidden_on_the_wire() -> None:
    """tutorial.md: raised before accept(), WebSocketException refuses the handshake."""
    shown = transcripts.claim(
        "tutorial.md", "Uvicorn answers `403 Forbidden` with an empty body"
    )
    with (
        live.uvicorn("docs_src.tutorial.query_token:app") as server,
        pytest.raises(InvalidStatus) as refused,
        connect(ws_url(server, "/ws?token=wrong")),
    ):
        pass
    response = refused.value.response
    assert f"`{response.status_code} {response.reason_phrase}`" in shown
    assert response.body == b""


def test_a_claim_missing_from_the_page_is_an_error() -> None:
    with pytest.raises(transcripts.TranscriptError) as missing:
        transcripts.claim("tutorial.md", "a sentence no page has")
    assert str(missing.value) == (
        "docs/en/tutorial.md: expected the text 'a sentence no page has', found none"
    )
