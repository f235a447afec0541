#!/usr/bin/env python3
"""Mutation testing: prove that changing any behaviour of an example fails a test.

    scripts/mutate.py                          every example under docs_src/
    scripts/mutate.py docs_src/tutorial/echo.py ...   only these

Each mutant changes one message, close code, number, comparison or condition
in a copy of the example, then runs the example's in-process tests
(tests/<topic>/). Exits 1 and lists them if any mutant survives.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from guidekit import mutate

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("examples", nargs="*", help="example files (default: all)")
    args = parser.parse_args(argv)
    examples = args.examples or sorted(
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "docs_src").rglob("*.py")
        if path.name != "__init__.py"
    )
    for example in examples:
        if not (ROOT / example).is_file() or not example.startswith("docs_src/"):
            print(
                f"error: expected an example under docs_src/, found {example!r}",
                file=sys.stderr,
            )
            return 2
    try:
        outcomes = mutate.run(ROOT, examples)
    except mutate.MutationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    survivors = [outcome.mutant for outcome in outcomes if not outcome.killed]
    for mutant in survivors:
        print(f"{mutant.path}:{mutant.line}: survived: {mutant.description}")
    killed = len(outcomes) - len(survivors)
    print(f"mutants: {killed} killed, {len(survivors)} survived, of {len(outcomes)}")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
