"""The versions behind the "Tested with" box, and the record of the machine's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from guidekit import tested
from tests.conftest import ROOT

LOCK = """\
fastapi==0.163.2 \\
    --hash=sha256:aa
redis==8.1.0 ; python_version >= "3.10" \\
    --hash=sha256:bb
"""


def test_pins_are_read_from_a_lock() -> None:
    assert tested.pinned(LOCK) == {"fastapi": "0.163.2", "redis": "8.1.0"}


def test_redis_only_when_an_example_imports_it(tmp_path: Path) -> None:
    plain = tmp_path / "plain.py"
    plain.write_text("from fastapi import FastAPI\n# redis is not used\n")
    uses = tmp_path / "uses.py"
    uses.write_text("from redis.asyncio import Redis\n")
    assert not tested.uses_redis([plain])
    assert tested.uses_redis([plain, uses])
    names = [name for name, _ in tested.rows([uses])]
    assert names[-2:] == ["redis-py", "redis-server"]


def test_the_box_reads_back() -> None:
    table = [("FastAPI", "0.163.2 (Python 3.11.7)"), ("a<b", "x & y")]
    assert tested.rows_in(tested.box(table)) == table
    assert tested.rows_in("<p>no box</p>") is None


def run_check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts/tested_with.py"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_record_matches_this_machine_and_the_locks() -> None:
    result = run_check("--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_a_record_that_disagrees_is_reported() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    import tested_with

    record = tested.read_record()
    stale = json.loads(json.dumps(record))
    stale["uvicorn_ws_auto"] = "wsproto"
    stale["locks"]["requirements.lock"] = "0" * 16
    now = tested_with.observed()
    problems = tested_with.differences(stale, now)
    assert (
        "tested-with.json: record.uvicorn_ws_auto: recorded 'wsproto', "
        "found 'websockets-sansio'" in problems
    )
    assert any(
        p.startswith("tested-with.json: record.locks.requirements.lock: recorded '0000")
        for p in problems
    )
    assert tested_with.differences(record, now) == []
