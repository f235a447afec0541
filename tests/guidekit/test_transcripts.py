"""Transcript files: how they are found and read (their runs are end-to-end tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from guidekit import transcripts

ECHO = transcripts.ROOT / "docs_src/tutorial/echo.session.txt"


def test_transcripts_are_found_beside_their_examples() -> None:
    found = transcripts.find()
    assert ECHO in found
    assert all(
        path.with_name(path.name.split(".")[0] + ".py").is_file() for path in found
    )


def test_a_transcript_names_its_example_and_what_the_reader_types() -> None:
    transcript = transcripts.parse(ECHO)
    assert transcript.app == "docs_src.tutorial.echo:app"
    assert transcript.url == "ws://localhost:8000/ws"
    assert transcript.target == "/ws"
    assert transcript.sent == ["Hello", "again"]
    assert transcripts._replies_in_file(transcript) == [0, 1, 1]


def test_a_transcript_without_its_command_line_is_an_error(tmp_path: Path) -> None:
    broken = tmp_path / "echo.broken.txt"
    broken.write_text("> Hello\n", encoding="utf-8")
    with pytest.raises(transcripts.TranscriptError) as error:
        transcripts.parse(broken)
    assert str(error.value) == (
        f"{broken}:1: expected '$ python -m websockets ws://localhost:8000/PATH', "
        "found '> Hello'"
    )
