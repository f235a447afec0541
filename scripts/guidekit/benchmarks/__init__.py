"""The project's benchmarks: ``scripts/bench`` runs them, one module per section.

    build       mkdocs builds: all languages, a one-language preview, English alone
    reload      live reload under scripts/serve: saving a page to seeing it served
    tests       the snippet tests alone, and the whole scripts/test
    weight      the tutorial's first load in Chromium, against bare Material
    broadcast   the naive broadcast loop against the reliable manager
    scaling     messages through Redis between two uvicorn processes
    compression what permessage-deflate costs the server per connection
    resume      the resumable chat: catching up after a worker kill, and live

``core`` holds what every section shares: repeated, alternating runs and their
statistics, the table, the JSON and the targets. ``report`` writes
PERFORMANCE.md from the same results.
"""
