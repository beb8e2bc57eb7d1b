#!/usr/bin/env python3
"""Turns the JSON lines of run.sh into the Markdown tables of BENCHMARKS.md."""
import json, sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
ours = {(r["encoding"], r["file"]): r for r in rows if r["kind"] == "ours"}
peers = {(r["peer"], r["encoding"], r["file"]): r for r in rows if r["kind"] == "peer"}
loads = [r for r in rows if r["kind"] == "load"]
print("| encoding | corpus | ours encode MB/s | ours count MB/s | tiktoken MB/s | bpe-openai MB/s | encode / tiktoken | count / tiktoken | ids = tiktoken |")
print("|---|---|---:|---:|---:|---:|---:|---:|:---:|")
for (enc, f), r in ours.items():
    t = peers.get(("tiktoken", enc, f))
    b = peers.get(("bpe-openai", enc, f))
    tm = t["encode_mbps"] if t else float("nan")
    bm = b["encode_mbps"] if b else float("nan")
    same = "yes" if t and t["hash"] == r["hash"] and t["tokens"] == r["tokens"] else "NO"
    print(f"| {enc} | {f} | {r['encode_mbps']:.1f} | {r['count_mbps']:.1f} | {tm:.1f} | {bm:.1f} | "
          f"{r['encode_mbps'] / tm:.1f}x | {r['count_mbps'] / tm:.1f}x | {same} |")
print()
print("| encoding | who | load ms | RSS growth MB | table MB |")
print("|---|---|---:|---:|---:|")
for r in loads:
    who = r.get("peer", "ours")
    table = f"{r['table_bytes'] / 1e6:.1f}" if "table_bytes" in r else ""
    print(f"| {r['encoding']} | {who} | {r['ms']:.1f} | {r['rss_bytes'] / 1e6:.1f} | {table} |")
