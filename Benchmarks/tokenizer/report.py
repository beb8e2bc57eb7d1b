#!/usr/bin/env python3
"""Turns the JSON lines of run.sh into the Markdown tables of BENCHMARKS.md.

Throughput is MB/s (10^6 bytes of UTF-8 per second) on one thread, best of the repeats. The main
figures use the thread's CPU time (robust to the preemption of a shared 2-core machine); wall-clock
figures are given after them."""
import json, sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
ours = {(r["encoding"], r["file"]): r for r in rows if r["kind"] == "ours"}
peers = {(r["peer"], r["encoding"], r["file"]): r for r in rows if r["kind"] == "peer"}
loads = [r for r in rows if r["kind"] == "load"]


def table(suffix, title):
    print(f"**{title}**")
    print()
    print("| encoding | corpus | ours encode | ours count | tiktoken | bpe-openai | encode / tiktoken | count / tiktoken | ids = tiktoken |")
    print("|---|---|---:|---:|---:|---:|---:|---:|:---:|")
    for (enc, f), r in ours.items():
        t = peers.get(("tiktoken", enc, f))
        b = peers.get(("bpe-openai", enc, f))
        tm = t["encode" + suffix] if t else float("nan")
        bm = b["encode" + suffix] if b else float("nan")
        same = "yes" if t and t["hash"] == r["hash"] and t["tokens"] == r["tokens"] else "NO"
        print(f"| {enc} | {f} | {r['encode' + suffix]:.1f} | {r['count' + suffix]:.1f} | {tm:.1f} | {bm:.1f} | "
              f"{r['encode' + suffix] / tm:.1f}x | {r['count' + suffix] / tm:.1f}x | {same} |")
    print()


table("_cpu_mbps", "MB/s, thread CPU time")
table("_mbps", "MB/s, wall clock")
print("| encoding | who | load ms (wall, best of 5) | without SHA-256 check | first load in process | CPU ms: parse + table | CPU ms: SHA-256 (2nd core) | RSS growth MB | table MB |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
for r in loads:
    who = r.get("peer", "ours")
    table_mb = f"{r['table_bytes'] / 1e6:.1f}" if "table_bytes" in r else ""
    plain = f"{r['ms_without_sha256']:.1f}" if "ms_without_sha256" in r else ""
    first = f"{r['first_ms']:.1f}" if "first_ms" in r else f"{r['ms']:.1f}"
    parse = f"{r['cpu_ms_without_sha256']:.1f}" if "cpu_ms_without_sha256" in r else ""
    sha = f"{r['cpu_ms'] - r['cpu_ms_without_sha256']:.1f}" if "cpu_ms" in r else ""
    print(f"| {r['encoding']} | {who} | {r['ms']:.1f} | {plain} | {first} | {parse} | {sha} | {r['rss_bytes'] / 1e6:.1f} | {table_mb} |")

longs = {(r["encoding"], r["file"]): r for r in rows if r["kind"] == "long"}
long_peers = {(r["encoding"], r["file"]): r for r in rows if r["kind"] == "long-peer" and "peer" not in r}
long_bpe = {(r["encoding"], r["file"]): r for r in rows if r["kind"] == "long-peer" and r.get("peer") == "bpe-openai"}
setups = {r["encoding"]: r for r in rows if r["kind"] == "long-setup"}
if longs:
    print()
    print("**Long pieces: 1 MB with no spaces, thread CPU ms (best of the repeats)**")
    print()
    print("| encoding | text | tokens | ours encode | ours count | per byte / prose (count) | tiktoken | bpe-openai | encode / tiktoken | encode / bpe-openai | ids = tiktoken, bpe-openai |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|:---:|")
    for (enc, f), r in longs.items():
        prose = longs.get((enc, "prose"))
        t = long_peers.get((enc, f))
        b = long_bpe.get((enc, f))
        per_byte = (r["count_cpu_s"] / r["bytes"]) / (prose["count_cpu_s"] / prose["bytes"]) if prose else float("nan")
        tm = t["cpu_s"] * 1000 if t else float("nan")
        bm = b["cpu_s"] * 1000 if b else float("nan")
        same = "yes" if t and t["hash"] == r["hash"] and t["tokens"] == r["tokens"] else "NO"
        same_b = "yes" if b and b["hash"] == r["hash"] and b["tokens"] == r["tokens"] else ("NO" if b else "-")
        print(f"| {enc} | {f} | {r['tokens']:,} | {r['encode_cpu_s'] * 1000:.1f} | {r['count_cpu_s'] * 1000:.1f} | "
              f"{per_byte:.1f}x | {tm:.1f} | {bm:.1f} | {tm / (r['encode_cpu_s'] * 1000):.1f}x | "
              f"{bm / (r['encode_cpu_s'] * 1000):.1f}x | {same}, {same_b} |")
    print()
    for enc, r in setups.items():
        size = f", {r['bytes'] / 1e6:.1f} MB" if "bytes" in r else ""
        print(f"Backtracking tables for {enc}: built once per process, {r['cpu_s'] * 1000:.0f} ms of CPU{size}.")
