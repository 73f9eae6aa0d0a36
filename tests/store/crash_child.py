"""Child process for the crash test: waits for 'go', then submits a visit (signs it)."""

from __future__ import annotations

import sys
from pathlib import Path

from intake.services.context import Actor, open_context
from intake.services.scripted import signature_strokes
from intake.services.visits import VisitService


def main() -> None:
    data_dir, visit_id = Path(sys.argv[1]), sys.argv[2]
    ctx = open_context(data_dir=data_dir, migrate=False)
    visits = VisitService(ctx)
    kiosk = Actor(f"kiosk:{visit_id}", "kiosk", "patient", visit_id)
    visits.draft(kiosk, visit_id)  # warm up: connection open, mappers configured
    print("ready", flush=True)
    sys.stdin.readline()
    visits.sign(kiosk, visit_id, "patient", "Zoë Nguyễn", signature_strokes(), 600, 200)
    print("done", flush=True)


if __name__ == "__main__":
    main()
