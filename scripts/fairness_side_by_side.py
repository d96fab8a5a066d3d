#!/usr/bin/env python3
"""Fairness straight at the gateway next to fairness through the CDN, from two surge reports.

    scripts/fairness_side_by_side.py DIRECT_REPORT FLEET_REPORT [OFFLOAD_TXT]

DIRECT_REPORT is the report.json of a `make demo` run (scripts/surge.sh keeps it as
report-direct.json), FLEET_REPORT that of a `make demo-fleet` run; OFFLOAD_TXT (the fleet run's
offload.txt) gives the state requests that reached the gateways, spread over the fleet's waiting
fan-minutes. Per room: Kendall tau, displacement p99, fans admitted before someone ahead, state
polls sent per waiting fan per minute, admissions tried too early.
"""
import json
import sys


def rooms(path):
    with open(path) as f:
        r = json.load(f)
    return r.get("started", "?"), r["surge"]["fairness"]


def origin_state_requests(path):
    try:
        with open(path) as f:
            for line in f:
                cols = line.split()
                if len(cols) >= 3 and cols[0] == "state":
                    return int(cols[2])
    except OSError:
        pass
    return None


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        d_started, direct = rooms(argv[1])
    except (OSError, ValueError, KeyError):
        print(f"\n-- fairness side by side: no direct run in {argv[1]} (run `make demo` first, same OUT)")
        return 0
    f_started, fleet = rooms(argv[2])
    origin = origin_state_requests(argv[3]) if len(argv) > 3 else None
    print(f"\n-- fairness side by side: straight at the gateway (make demo, {d_started}) | through the CDN (this run, {f_started})")
    head = ("room", "Kendall tau", "displacement p99", "admitted before someone ahead", "polls/fan/min sent", "too early")
    print(f"{head[0]:<10} {head[1]:>17} {head[2]:>17} {head[3]:>31} {head[4]:>19} {head[5]:>13}")
    minutes = 0.0
    for room in sorted(set(direct) | set(fleet)):
        a, b = direct.get(room, {}), fleet.get(room, {})
        minutes += b.get("waiting_fan_minutes", 0.0)

        def pair(key, fmt):
            x, y = a.get(key), b.get(key)
            return (fmt.format(x) if x is not None else "-") + " | " + (fmt.format(y) if y is not None else "-")

        print(f"{room:<10} {pair('kendall_tau', '{:.4f}'):>17} {pair('p99_displacement', '{}'):>17} "
              f"{pair('out_of_order', '{}'):>31} {pair('state_polls_per_waiting_fan_minute', '{:.2f}'):>19} "
              f"{pair('not_yet', '{}'):>13}")
    if origin is not None and minutes > 0:
        print(f"state requests that reached the gateways: {origin} over {minutes:.0f} waiting fan-minutes, "
              f"{origin / minutes:.4f} per waiting fan per minute")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
