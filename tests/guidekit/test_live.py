"""The check that no example's server log holds a traceback."""

from pathlib import Path

from guidekit import live

CRASH = """INFO:     127.0.0.1:5000 - "WebSocket /ws" [accepted]
ERROR:    Exception in ASGI application
Traceback (most recent call last):
  File "/x/docs_src/tutorial/echo.py", line 9, in echo
    await websocket.send_text(text)
RuntimeError: Unexpected ASGI message 'websocket.send', after sending 'websocket.close'.
INFO:     connection closed
"""


def test_an_examples_traceback_is_named_with_its_exception(tmp_path: Path) -> None:
    log = tmp_path / "uvicorn.log"
    log.write_text(CRASH, encoding="utf-8")
    assert live.example_tracebacks([("docs_src.tutorial.echo:app", log)]) == [
        f"docs_src.tutorial.echo:app (log {log}): RuntimeError: Unexpected ASGI "
        "message 'websocket.send', after sending 'websocket.close'."
    ]


def test_a_test_apps_traceback_and_a_clean_log_pass(tmp_path: Path) -> None:
    crash, clean = tmp_path / "crash.log", tmp_path / "clean.log"
    crash.write_text(CRASH, encoding="utf-8")
    clean.write_text('INFO:     "WebSocket /ws" [accepted]\n', encoding="utf-8")
    served = [("tests.e2e.tutorial_wire_app:app", crash), ("docs_src.x:app", clean)]
    assert live.example_tracebacks(served) == []
