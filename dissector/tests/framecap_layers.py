#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""framecap_layers.py - the framecap tree of each packet of a tshark -T json
run, one JSON line per packet ("null" where the plugin added nothing):
what "two passes (-2) change nothing" compares between two runs, so that
the one-pass run checked against framecap --json serves for both.

  framecap_layers.py TSHARK.json
"""
import json
import sys


def main():
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    try:
        with open(sys.argv[1]) as f:
            packets = json.load(f)
    except (OSError, ValueError) as e:
        print("framecap_layers.py: %s: %s" % (sys.argv[1], e), file=sys.stderr)
        return 1
    for p in packets:
        layers = p.get("_source", {}).get("layers", {})
        print(json.dumps(layers.get("framecap"), sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
