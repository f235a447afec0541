#!/usr/bin/env python3
"""Record what the examples are tested with, beyond the locks: tested-with.json.

    scripts/tested_with.py --write   record this machine's Python versions,
                                     redis-server's version and uvicorn's
                                     choice for --ws auto
    scripts/tested_with.py --check   exit 1, one line per difference, when the
                                     record no longer matches the machine or
                                     the locks (scripts/test runs this)

The "Tested with" box on every page is built from the locks and this record.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from guidekit import tested

ROOT = Path(__file__).resolve().parent.parent
# What uvicorn's --ws auto resolves to, by the protocol class it picks.
WS_NAMES = {
    "WebSocketsSansIOProtocol": "websockets-sansio",
    "WebSocketProtocol": "websockets",
    "WSProtocol": "wsproto",
}


def python_version(python: str) -> str | None:
    try:
        result = subprocess.run(
            [python, "-c", "import platform; print(platform.python_version())"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def python_310() -> str | None:
    """The Python 3.10 that scripts/test uses (see setup_py310_venv in _setup.sh)."""
    venv = ROOT / ".venv-py310" / "bin" / "python"
    pyenv = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates = [str(venv), shutil.which("python3.10") or ""]
    candidates += sorted(glob.glob(f"{pyenv}/versions/3.10*/bin/python3.10"))
    for candidate in filter(None, candidates):
        version = python_version(candidate)
        if version and version.startswith("3.10."):
            return version
    return None


def redis_server_version() -> str | None:
    if shutil.which("redis-server") is None:
        return None
    output = subprocess.run(
        ["redis-server", "--version"], capture_output=True, text=True, check=False
    ).stdout
    match = re.search(r"\bv=(\S+)", output)
    return match[1] if match else None


def nginx_version() -> str | None:
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").is_file() else None
    )
    if nginx is None:
        return None
    # nginx -v writes "nginx version: nginx/1.22.1" to standard error.
    output = subprocess.run([nginx, "-v"], capture_output=True, text=True, check=False)
    match = re.search(r"nginx/(\S+)", output.stderr + output.stdout)
    return match[1] if match else None


def uvicorn_ws_auto() -> str:
    from uvicorn.protocols.websockets.auto import AutoWebSocketsProtocol

    name = getattr(AutoWebSocketsProtocol, "__name__", "none")
    return WS_NAMES.get(name, name)


def observed() -> dict[str, object]:
    """The record as this machine and these locks would write it."""
    locks = {lock: (ROOT / lock).read_text(encoding="utf-8") for lock in tested.LOCKS}
    main_python = python_version(str(ROOT / ".venv" / "bin" / "python"))
    return {
        "python": {
            tested.LOCKS[0]: main_python or python_version(sys.executable),
            tested.LOCKS[1]: python_310(),
        },
        "redis_server": redis_server_version(),
        "nginx": nginx_version(),
        "uvicorn_ws_auto": uvicorn_ws_auto(),
        "locks": {lock: tested.lock_digest(text) for lock, text in locks.items()},
    }


def differences(recorded: dict[str, object], now: dict[str, object]) -> list[str]:
    """One line per recorded fact that no longer holds; unknown facts are kept."""
    problems = []

    def compare(where: str, old: object, new: object) -> None:
        if isinstance(old, dict) and isinstance(new, dict):
            for key in sorted(set(old) | set(new)):
                compare(f"{where}.{key}", old.get(key), new.get(key))
        elif new is not None and old != new:
            problems.append(
                f"{tested.RECORD}: {where}: recorded {old!r}, found {new!r}"
            )

    compare("record", recorded, now)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true")
    action.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    now = observed()
    path = ROOT / tested.RECORD
    if args.write:
        missing = [key for key, value in now["python"].items() if value is None]  # type: ignore[union-attr]
        if missing or now["redis_server"] is None or now["nginx"] is None:
            print(
                f"{tested.RECORD}: not written: no Python for {missing}, or no "
                "redis-server or nginx found; install them as scripts/test does",
                file=sys.stderr,
            )
            return 1
        path.write_text(json.dumps(now, indent=2) + "\n", encoding="utf-8")
        print(f"{tested.RECORD}: written")
        return 0
    if not path.is_file():
        print(f"{tested.RECORD}: missing; run 'scripts/tested_with.py --write'")
        return 1
    problems = differences(json.loads(path.read_text(encoding="utf-8")), now)
    for problem in problems:
        print(f"{problem}; run 'scripts/tested_with.py --write'")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
