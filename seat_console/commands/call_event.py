"""`seat-console call-event {newCall,answer,hangup} --call-id ID ...`: post one telephony event
to the running console, form-encoded as Zammad's generic CTI sends it. Exit 0 when the console
accepted it, 2 when it refused it, 1 when no console is listening."""

from __future__ import annotations

import argparse
import json
import sys
from urllib.parse import urlencode

import httpx

from seat_console.config import Config
from seat_console.core.cti import endpoint_file, read_endpoint
from seat_console.core.errors import SeatConsoleError

TIMEOUT_SECONDS = 10.0  # a missed call is written before the answer; a loaded machine is slow


def call_event(args: argparse.Namespace, config: Config) -> int:
    where = endpoint_file(config.database)
    url = args.url or read_endpoint(where)
    if not url:
        print(f"seat-console: error: no console is listening: {where} not found (start "
              "seat-console with cti.enabled, or give --url)", file=sys.stderr)
        return 1
    fields = [("event", args.event), ("callId", args.call_id), ("direction", args.direction)]
    fields += [(name, value) for name, value in (("from", args.from_number),
                                                 ("to", args.to_number), ("cause", args.cause))
               if value]
    fields += [("user[]", user) for user in args.user]
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if config.cti.token:
        headers["Authorization"] = f"Bearer {config.cti.token}"
    try:
        # trust_env=False: never through an HTTP proxy from the environment
        with httpx.Client(timeout=TIMEOUT_SECONDS, trust_env=False) as client:
            response = client.post(url, content=urlencode(fields), headers=headers)
    except httpx.InvalidURL as exc:
        raise SeatConsoleError(f"--url {url!r}: {exc}") from None
    except httpx.TransportError as exc:
        print(f"seat-console: error: no console is listening at {url} "
              f"({type(exc).__name__})", file=sys.stderr)
        return 1
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        print(f"seat-console: error: {url} answered {response.status_code} without the "
              "console's JSON: is this seat-console?", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(answer, ensure_ascii=False))
    if response.status_code == 200 and answer.get("ok"):
        if not args.json:
            note = f" ({answer['note']})" if answer.get("note") else ""
            print(f"{args.event} callId={args.call_id}: {answer.get('result')}, call "
                  f"{answer.get('state') or 'unknown'}{note}")
        return 0
    print(f"seat-console: error: the console refused the event ({response.status_code}): "
          f"{answer.get('error', 'no reason given')}", file=sys.stderr)
    return 2 if 400 <= response.status_code < 500 else 1
