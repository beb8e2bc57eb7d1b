#!/usr/bin/env python3
"""Make the golden parity data for TokenizersTests with tiktoken (the reference).

Writes Tests/TokenizersTests/Golden/golden.json:
- corpus: for each encoding and file of ../shared/data/corpus, the FNV-1a-64 hash and count of the
  ids of each chunk (chunks end after the first newline at or past 256 KiB), and of the whole file
  encoded at once.
- adversarial: 100,000 strings from a seeded generator (splitmix64 over the fragments and code-point
  ranges of Golden/adversarial_fragments.json; the Swift tests implement the same generator),
  hashed per block of 1,000 strings.
- sweep: for each 256-code-point block, one string that puts every code point of the block in
  letter, number, space, case and punctuation contexts.

Usage: TIKTOKEN_CACHE_DIR=/tmp/tiktoken-cache python3 Scripts/tokenizer_golden.py
(see ../shared/data/README.md for filling the cache offline).
"""
import json, os, sys
import tiktoken

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "Tests", "TokenizersTests", "Golden")
CORPUS = os.path.join(ROOT, "..", "shared", "data", "corpus")
ENCODINGS = ["cl100k_base", "o200k_base", "p50k_base"]
MASK = (1 << 64) - 1
CHUNK = 256 * 1024
ADVERSARIAL_COUNT = 100_000
ADVERSARIAL_SEED = 20261129
BLOCK = 1000


def fnv(ids, h=0xCBF29CE484222325):
    for i in ids:
        h = ((h ^ i) * 0x100000001B3) & MASK
    return h


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)


def adversarial_strings(count, seed):
    spec = json.load(open(os.path.join(GOLDEN, "adversarial_fragments.json"), encoding="utf-8"))
    fragments, ranges = spec["fragments"], spec["ranges"]
    rng = SplitMix64(seed)
    out = []
    for _ in range(count):
        parts = []
        k = 1 + rng.next() % 10
        for _ in range(k):
            if rng.next() % 100 < 70:
                parts.append(fragments[rng.next() % len(fragments)])
            else:
                lo, hi = ranges[rng.next() % len(ranges)]
                parts.append(chr(lo + rng.next() % (hi - lo + 1)))
        out.append("".join(parts))
    return out


def chunks(data):
    start = 0
    while start < len(data):
        nl = data.find(b"\n", start + CHUNK)
        end = len(data) if nl < 0 else nl + 1
        yield data[start:end]
        start = end


def sweep_strings():
    out = []
    for block in range(0x1100):
        # surrogates; planes 4-13 (unassigned) and 15-16 (private use) hold no classes
        if 0xD8 <= block <= 0xDF or 0x400 <= block < 0xE00 or block >= 0xF00:
            out.append("")
            continue
        parts = []
        for cp in range(block << 8, (block + 1) << 8):
            c = chr(cp)
            parts.append(f"x{c}x {c}{c} 1{c}1 A{c}a a{c}A {c}'s {c}'S\t{c}\n{c}  {c}{c}. !{c}\r\n")
        out.append("".join(parts))
    return out


def main():
    result = {"chunkBytes": CHUNK, "adversarialSeed": ADVERSARIAL_SEED, "adversarialCount": ADVERSARIAL_COUNT,
              "blockSize": BLOCK, "corpus": {}, "adversarial": {}, "sweep": {}}
    advs = adversarial_strings(ADVERSARIAL_COUNT, ADVERSARIAL_SEED)
    sweeps = sweep_strings()
    files = sorted(os.listdir(CORPUS))
    for name in ENCODINGS:
        enc = tiktoken.get_encoding(name)
        print(name, file=sys.stderr)
        result["corpus"][name] = {}
        for f in files:
            data = open(os.path.join(CORPUS, f), "rb").read()
            entries = []
            for chunk in chunks(data):
                ids = enc.encode_ordinary(chunk.decode("utf-8"))
                entries.append([f"{fnv(ids):016x}", len(ids)])
            whole = enc.encode_ordinary(data.decode("utf-8"))
            result["corpus"][name][f] = {"chunks": entries, "hash": f"{fnv(whole):016x}", "tokens": len(whole)}
        blocks = []
        total = 0
        for b in range(0, ADVERSARIAL_COUNT, BLOCK):
            h = 0xCBF29CE484222325
            for s in advs[b:b + BLOCK]:
                ids = enc.encode_ordinary(s)
                total += len(ids)
                h = fnv(ids, h)
                h = ((h ^ 0xFFFFFFFF) * 0x100000001B3) & MASK
            blocks.append(f"{h:016x}")
        result["adversarial"][name] = {"blocks": blocks, "tokens": total}
        result["sweep"][name] = [f"{fnv(enc.encode_ordinary(s)):016x}" for s in sweeps]
    with open(os.path.join(GOLDEN, "golden.json"), "w") as fh:
        json.dump(result, fh, indent=0)


if __name__ == "__main__":
    main()
