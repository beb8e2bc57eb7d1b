#!/usr/bin/env python3
"""Turns the JSON lines of run.sh into the Markdown tables of BENCHMARKS.md.

Throughput is MB/s (10^6 bytes of UTF-8 per second) on one thread, best of the repeats and, when
run.sh ran several rounds, best of the rounds for each side. The main figures use the thread's CPU
time (robust to the preemption of a shared 2-core machine); wall-clock figures are given after
them. The last column gives the count / tiktoken ratio of each round, in order."""
import json, sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]


def best(kind_rows, key_of, fields, better=max):
    """One row per key: the first row seen, with each field the best over all rows (the highest
    throughput, or with better=min the least time); ids that differ between rounds are marked."""
    out = {}
    for r in kind_rows:
        k = key_of(r)
        if k not in out:
            out[k] = dict(r)
            continue
        for f in fields:
            out[k][f] = better(out[k][f], r[f])
        if "hash" in r and (r["hash"], r["tokens"]) != (out[k]["hash"], out[k]["tokens"]):
            out[k]["hash"] = "differs between rounds"
    return out


speed = ["encode_cpu_mbps", "encode_mbps", "count_cpu_mbps", "count_mbps"]
ours = best([r for r in rows if r["kind"] == "ours"], lambda r: (r["encoding"], r["file"]), speed)
peers = best([r for r in rows if r["kind"] == "peer"], lambda r: (r["peer"], r["encoding"], r["file"]),
             ["encode_cpu_mbps", "encode_mbps"])
loads = {}
for r in (r for r in rows if r["kind"] == "load"):  # the fastest load of each over the rounds
    k = (r.get("peer", "ours"), r["encoding"])
    if k not in loads or r["ms"] < loads[k]["ms"]:
        loads[k] = r
loads = list(loads.values())


def per_round(enc, f):
    """count / tiktoken (thread CPU) of each round that measured both."""
    mine = {r.get("round", 1): r for r in rows if r["kind"] == "ours" and (r["encoding"], r["file"]) == (enc, f)}
    theirs = {r.get("round", 1): r for r in rows
              if r["kind"] == "peer" and r["peer"] == "tiktoken" and (r["encoding"], r["file"]) == (enc, f)}
    return ", ".join(f"{mine[k]['count_cpu_mbps'] / theirs[k]['encode_cpu_mbps']:.1f}" for k in sorted(mine) if k in theirs)


def table(suffix, title):
    print(f"**{title}**")
    print()
    by_round = suffix == "_cpu_mbps"
    print("| encoding | corpus | ours encode | ours count | tiktoken | bpe-openai | encode / tiktoken | count / tiktoken | ids = tiktoken |"
          + (" count / tiktoken by round |" if by_round else ""))
    print("|---|---|---:|---:|---:|---:|---:|---:|:---:|" + ("---|" if by_round else ""))
    for (enc, f), r in ours.items():
        t = peers.get(("tiktoken", enc, f))
        b = peers.get(("bpe-openai", enc, f))
        tm = t["encode" + suffix] if t else float("nan")
        bm = b["encode" + suffix] if b else float("nan")
        same = "yes" if t and t["hash"] == r["hash"] and t["tokens"] == r["tokens"] else "NO"
        print(f"| {enc} | {f} | {r['encode' + suffix]:.1f} | {r['count' + suffix]:.1f} | {tm:.1f} | {bm:.1f} | "
              f"{r['encode' + suffix] / tm:.1f}x | {r['count' + suffix] / tm:.1f}x | {same} |"
              + (f" {per_round(enc, f)} |" if by_round else ""))
    print()


table("_cpu_mbps", "MB/s, thread CPU time")
table("_mbps", "MB/s, wall clock")

chunk_speed = ["encode_cpu_mbps", "count_cpu_mbps"]
ours_chunks = best([r for r in rows if r["kind"] == "chunks"], lambda r: (r["encoding"], r["file"]), chunk_speed)
peer_chunks = best([r for r in rows if r["kind"] == "peer-chunks"], lambda r: (r["peer"], r["encoding"], r["file"]),
                   ["encode_cpu_mbps"])
if ours_chunks:
    print("**Request-sized inputs: chunks of about 2 KB (lines, at most 1,000 chunks per file), one call each, "
          "MB/s, thread CPU time**")
    print()
    print("| encoding | corpus | chunks | ours encode | ours count | tiktoken | bpe-openai | encode / tiktoken | count / tiktoken | ids = tiktoken |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|:---:|")
    for (enc, f), r in ours_chunks.items():
        t = peer_chunks.get(("tiktoken", enc, f))
        b = peer_chunks.get(("bpe-openai", enc, f))
        tm = t["encode_cpu_mbps"] if t else float("nan")
        bm = b["encode_cpu_mbps"] if b else float("nan")
        same = "yes" if t and t["hash"] == r["hash"] and t["tokens"] == r["tokens"] else "NO"
        print(f"| {enc} | {f} | {r['chunks']} | {r['encode_cpu_mbps']:.1f} | {r['count_cpu_mbps']:.1f} | {tm:.1f} | "
              f"{bm:.1f} | {r['encode_cpu_mbps'] / tm:.1f}x | {r['count_cpu_mbps'] / tm:.1f}x | {same} |")
    print()
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

by_text = lambda r: (r["encoding"], r["file"])
longs = best([r for r in rows if r["kind"] == "long"], by_text, ["encode_cpu_s", "count_cpu_s"], min)
long_peers = best([r for r in rows if r["kind"] == "long-peer" and "peer" not in r], by_text, ["cpu_s"], min)
long_bpe = best([r for r in rows if r["kind"] == "long-peer" and r.get("peer") == "bpe-openai"], by_text, ["cpu_s"], min)
setups = best([r for r in rows if r["kind"] == "long-setup"], lambda r: r["encoding"], ["cpu_s"], min)
if longs:
    print()
    print("**Long pieces: 1 MB with no spaces, thread CPU ms (best of the repeats and rounds)**")
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
