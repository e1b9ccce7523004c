"""Long, randomised schemathesis exploration of the center's API, looking for server errors.

    .venv/bin/python bench/schema_explore.py [--examples 1000] [--seed N] [--db URL]

CI runs a short, deterministic property test (tests/test_center_schema.py); this runs many more
cases per operation with a fresh random seed each time (printed, so a finding can be replayed
with --seed), positive and negative (schema-violating) inputs, each sent with the generated
credentials and with a valid site token. It prints the status codes seen per operation and every
distinct 5xx with the smallest reproduction found (a curl command), and exits 1 if there was
any. `--db` takes a SQLite file or a postgresql:// URL (default: a fresh temporary SQLite file).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import hypothesis
import hypothesis.errors
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis.generation.modes import GenerationMode

from seat_center import storage
from seat_center.app import create_app

SITE = "210102"


def explore(examples: int, seed: int, db: str) -> int:
    engine = storage.open_engine(db)
    token = storage.add_site(engine, SITE)
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(engine))
    valid = {"Authorization": f"Bearer {token}", "X-Site": SITE}
    statuses: dict[str, Counter[str]] = defaultdict(Counter)
    errors: dict[tuple[str, str], list[str]] = defaultdict(list)
    skipped: list[str] = []
    started = time.perf_counter()

    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @hypothesis.seed(seed)
            @hypothesis.settings(max_examples=examples, deadline=None, database=None,
                                 phases=[Phase.explicit, Phase.generate],
                                 suppress_health_check=list(HealthCheck))
            @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
            def run(case) -> None:  # type: ignore[no-untyped-def]
                generated = dict(case.headers or {})
                for headers in (generated, {**generated, **valid}):
                    case.headers = headers
                    try:
                        status = str(case.call().status_code)
                    except Exception as exc:  # the in-process app raised: a 500 on the wire
                        status = f"500 ({type(exc).__name__}: {str(exc)[:80]})"
                    statuses[label][status[:3]] += 1
                    if status >= "500":
                        errors[(label, status)].append(case.as_curl_command())

            try:
                run()
            except hypothesis.errors.Unsatisfiable:  # e.g. no schema to violate (GET /healthz)
                skipped.append(f"{label} ({mode.value})")

    elapsed = time.perf_counter() - started
    total = sum(sum(c.values()) for c in statuses.values())
    print(f"schemathesis exploration: seed {seed}, {examples} examples per operation and mode, "
          f"{total} requests in {elapsed:.1f} s ({db})")
    for label, counter in sorted(statuses.items()):
        seen = ", ".join(f"{code}×{n}" for code, n in sorted(counter.items()))
        print(f"  {label:<16} {seen}")
    if skipped:
        print(f"  nothing to generate for: {', '.join(skipped)}")
    if not errors:
        print("no server errors found")
        return 0
    print(f"SERVER ERRORS: {len(errors)} distinct (operation, status)")
    for (label, status), curls in sorted(errors.items()):
        print(f"  {label} -> {status}: {len(curls)} cases; smallest:")
        print(f"    {min(curls, key=len)}")
    print(f"replay with: --seed {seed} --examples {examples}")
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1000,
                        help="cases per operation and generation mode (default 1000)")
    parser.add_argument("--seed", type=int, default=None, help="replay a run (default: random)")
    parser.add_argument("--db", default=None, help="SQLite file or postgresql:// URL")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().getrandbits(32)
    db = args.db or str(Path(tempfile.mkdtemp(prefix="schema-explore-")) / "center.db")
    return explore(args.examples, seed, db)


if __name__ == "__main__":
    sys.exit(main())
