#!/usr/bin/env python3
"""The modeller's Monte Carlo kernel in vectorised numpy, for Benchmarks/modeller/run.sh.

Does the same work as `tokenomics model --benchmark` (Simulation.months): for each of `months`
months, draw every user's interactions from a lognormal (median 120, p95 900), round them
stochastically to whole interactions, and for each plan tally the interactions served (after the
cap), the overage past the included interactions, and the credit packs bought; plus an uncapped
"no plan" column. Prints the best and median of `--repeats` runs as JSON.
"""
import argparse
import json
import math
import time

import numpy as np

PLANS = [  # (cap, included, pack) as in scenario.yaml
    (600, None, None),
    (None, 300, None),
    (None, None, 500),
    (None, None, None),  # the uncapped column the Swift kernel also tallies
]


def run(users, months, seed):
    rng = np.random.default_rng(seed)
    mu = math.log(120)
    sigma = (math.log(900) - mu) / 1.6448536269514722
    served_total = 0
    tallies = []
    for _ in range(months):
        x = rng.lognormal(mu, sigma, users)
        np.minimum(x, 1e12, out=x)
        x += rng.random(users)
        wanted = x.astype(np.int64)
        month = []
        for cap, included, pack in PLANS:
            served = np.minimum(wanted, cap) if cap is not None else wanted
            s = int(served.sum())
            overage = int(np.maximum(served - included, 0).sum()) if included is not None else 0
            packs = int(np.maximum((served + pack - 1) // pack, 1).sum()) if pack is not None else 0
            month.append((s, overage, packs))
            served_total += s
        tallies.append(month)
    return served_total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    times = []
    served = 0
    for _ in range(args.repeats):
        start = time.perf_counter()
        served = run(args.users, args.months, args.seed)
        times.append(time.perf_counter() - start)
    times.sort()
    print(json.dumps({
        "users": args.users, "months": args.months, "plans": 3, "numpy": np.__version__,
        "best_seconds": times[0], "median_seconds": times[len(times) // 2], "served_interactions": served,
    }))


if __name__ == "__main__":
    main()
