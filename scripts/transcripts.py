#!/usr/bin/env python3
"""Write or check the transcripts beside the examples, from real runs.

    scripts/transcripts.py --write [FILE ...]   run each exchange under uvicorn
                                                and rewrite the file from it
    scripts/transcripts.py --check [FILE ...]   exit 1, with a diff, where a
                                                file differs from the wire

Without FILEs, every docs_src/<topic>/<example>.<name>.txt. A transcript holds
the command line and the lines the reader types ("> ..."); everything else
is written from the run (see scripts/guidekit/transcripts.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from guidekit import live, transcripts


def session(transcript: transcripts.Transcript, *, record: bool) -> list[str]:
    with live.uvicorn(transcript.app) as server:
        return transcripts.run(transcript, server.url, record=record)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true")
    action.add_argument("--check", action="store_true")
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = [path.resolve() for path in args.files] or transcripts.find()
    failed = 0
    for path in paths:
        try:
            transcript = transcripts.parse(path)
        except transcripts.TranscriptError as error:
            print(error, file=sys.stderr)
            failed += 1
            continue
        lines = session(transcript, record=args.write)
        if args.write:
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            print(f"{transcript.where()}: written from a run of {transcript.app}")
        elif lines != transcript.expected:
            print(transcripts.diff(transcript, lines))
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
