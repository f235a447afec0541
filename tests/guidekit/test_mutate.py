"""The mutation tester on a tiny project: it must catch a test that checks too little."""

from __future__ import annotations

import sys
from pathlib import Path

from guidekit import mutate

APP = """from fastapi import FastAPI, WebSocket, status

app = FastAPI()


@app.websocket("/ws")
async def hello(websocket: WebSocket, name: str = "") -> None:
    if name == "":
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
        return
    await websocket.accept()
    await websocket.send_text(f"Hello, {name}")
    await websocket.close()
"""

TESTS = """from fastapi.testclient import TestClient
from docs_src.demo.hello import app


def test_greets() -> None:
    with TestClient(app).websocket_connect("/ws?name=Ada") as websocket:
        assert websocket.receive_text() == "Hello, Ada"
"""


def make_project(root: Path) -> Path:
    for folder in ("docs_src/demo", "tests/demo", "scripts"):
        (root / folder).mkdir(parents=True)
        if folder != "scripts":
            (root / folder / "__init__.py").write_text("", encoding="utf-8")
    (root / "docs_src" / "__init__.py").write_text("", encoding="utf-8")
    (root / "tests" / "__init__.py").write_text("", encoding="utf-8")
    (root / "docs_src/demo/hello.py").write_text(APP, encoding="utf-8")
    (root / "tests/demo/test_hello.py").write_text(TESTS, encoding="utf-8")
    (root / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\npythonpath = ["."]\n', encoding="utf-8"
    )
    return root


def test_mutants_cover_messages_codes_comparisons_and_conditions() -> None:
    found = {
        m.description
        for m in mutate.all_mutants(Path("."), "docs_src/tutorial/query_token.py")
    }
    assert "close code WS_1008_POLICY_VIOLATION -> WS_1011_INTERNAL_ERROR" in found
    assert "string 'invalid token' changed" in found
    assert 'f-string f"Welcome, {user}!" changed' in found
    assert "comparison becomes 'in'" in found
    assert "condition negated" in found


def test_a_test_that_checks_too_little_lets_mutants_survive(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    outcomes = mutate.run(root, ["docs_src/demo/hello.py"], python=sys.executable)
    survived = sorted(o.mutant.description for o in outcomes if not o.killed)
    killed = sorted(o.mutant.description for o in outcomes if o.killed)
    # The rejection is never tested: changing its close code goes unnoticed.
    assert "close code WS_1008_POLICY_VIOLATION -> WS_1011_INTERNAL_ERROR" in survived
    # The greeting is tested: changing its text is caught.
    assert 'f-string f"Hello, {name}" changed' in killed
    assert "string '/ws' changed" in killed
    # The working tree is untouched.
    assert (root / "docs_src/demo/hello.py").read_text(encoding="utf-8") == APP
