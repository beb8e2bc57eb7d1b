#!/usr/bin/env python3
"""Measure the ratio of the legacy Claude tokenizer's counts to cl100k_base and o200k_base counts
over ../shared/data/corpus (documented in docs/tokenizers.md, "Estimate factors").

anthropic_tokenizer.json is the Claude 2-era tokenizer (Hugging Face format, NFKC); Claude 3 and
later use tokenizers that are not public, so this ratio is evidence for, not a measurement of, the
Claude estimate factor. Files are encoded in chunks of 200 lines (tokens do not cross lines here).

Usage: TIKTOKEN_CACHE_DIR=/tmp/tiktoken-cache python3 Scripts/tokenizer_claude_ratio.py
(needs pip tiktoken tokenizers; see ../shared/data/README.md for filling the cache offline).
"""
import os
import tiktoken
import tokenizers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "data")

claude = tokenizers.Tokenizer.from_file(os.path.join(DATA, "vocab", "anthropic_tokenizer.json"))
encodings = {name: tiktoken.get_encoding(name) for name in ["cl100k_base", "o200k_base"]}
totals = {"claude": 0, "cl100k_base": 0, "o200k_base": 0}
print("| corpus | legacy Claude | cl100k_base | o200k_base | Claude / cl100k | Claude / o200k |")
print("|---|---:|---:|---:|---:|---:|")
for name in ["prose.txt", "code.txt", "multi.txt"]:
    text = open(os.path.join(DATA, "corpus", name), encoding="utf-8").read()
    lines = text.splitlines(keepends=True)
    chunks = ["".join(lines[i:i + 200]) for i in range(0, len(lines), 200)]
    row = {"claude": sum(len(e.ids) for e in claude.encode_batch(chunks, add_special_tokens=False))}
    for enc_name, enc in encodings.items():
        row[enc_name] = sum(len(ids) for ids in enc.encode_ordinary_batch(chunks))
    for key in totals:
        totals[key] += row[key]
    print(f"| {name} | {row['claude']:,} | {row['cl100k_base']:,} | {row['o200k_base']:,} | "
          f"{row['claude'] / row['cl100k_base']:.3f} | {row['claude'] / row['o200k_base']:.3f} |", flush=True)
print(f"| all | {totals['claude']:,} | {totals['cl100k_base']:,} | {totals['o200k_base']:,} | "
      f"{totals['claude'] / totals['cl100k_base']:.3f} | {totals['claude'] / totals['o200k_base']:.3f} |")
