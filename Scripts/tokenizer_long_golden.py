#!/usr/bin/env python3
"""Make the golden ids of long pieces (no spaces) for TokenizersTests with tiktoken.

Writes Tests/TokenizersTests/Golden/long_golden.json: for each case of CASES and each encoding,
the FNV-1a-64 hash and number of tiktoken's encode_ordinary ids. Each case is built from a seeded
splitmix64 generator (the Swift tests build the same strings, see Support.longPiece): `length`
code points, each `alphabet[next % len(alphabet)]` where the alphabet is a list of code-point
ranges, or a repeated unit.

Usage: TIKTOKEN_CACHE_DIR=/tmp/tiktoken-cache python3 Scripts/tokenizer_long_golden.py
(see ../shared/data/README.md for filling the cache offline).
"""
import json, os, sys
import tiktoken

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tokenizer_golden import SplitMix64  # the same generator as the adversarial strings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "TokenizersTests", "Golden", "long_golden.json")
ENCODINGS = ["cl100k_base", "o200k_base", "p50k_base"]
MASK = (1 << 64) - 1

# name: (seed, length in code points, ranges of code points) or (None, repeats, unit)
CASES = {
    "letters": (1, 200_000, [[0x61, 0x7A]]),
    "mixed-case": (2, 100_000, [[0x41, 0x5A], [0x61, 0x7A]]),
    "base64-letters": (3, 100_000, [[0x41, 0x5A], [0x61, 0x7A], [0x61, 0x66]]),
    "vowels": (4, 100_000, [[0x61, 0x61], [0x65, 0x65], [0x69, 0x69], [0x6E, 0x6E], [0x74, 0x74]]),
    "latin-1": (5, 60_000, [[0xC0, 0xD6], [0xD8, 0xF6], [0xF8, 0xFF]]),
    "cjk": (6, 60_000, [[0x4E00, 0x9FA5]]),
    "frequent-cjk": (7, 60_000, [[0x4E00, 0x4E80], [0x7684, 0x7684], [0x662F, 0x662F]]),
    "hangul": (8, 40_000, [[0xAC00, 0xD7A3]]),
    "kana": (9, 60_000, [[0x3041, 0x3096], [0x30A1, 0x30FA]]),
    "cyrillic": (10, 80_000, [[0x430, 0x44F]]),
    "a": (None, 100_000, "a"),
    "ab": (None, 50_000, "ab"),
    "hello": (None, 20_000, "hello"),
    "zh-repeat": (None, 20_000, "\u4f60\u597d"),
}


def long_piece(seed, length, alphabet):
    if seed is None:
        return alphabet * length
    points = [cp for lo, hi in alphabet for cp in range(lo, hi + 1)]
    rng = SplitMix64(seed)
    return "".join(chr(points[rng.next() % len(points)]) for _ in range(length))


def fnv(ids):
    h = 0xCBF29CE484222325
    for i in ids:
        h = ((h ^ i) * 0x100000001B3) & MASK
    return h


def main():
    result = {"cases": {name: {"seed": seed, "length": length, "alphabet": alphabet}
                        for name, (seed, length, alphabet) in CASES.items()}, "ids": {}}
    texts = {name: long_piece(*spec) for name, spec in CASES.items()}
    for enc_name in ENCODINGS:
        enc = tiktoken.get_encoding(enc_name)
        print(enc_name, file=sys.stderr)
        result["ids"][enc_name] = {}
        for name, text in texts.items():
            ids = enc.encode_ordinary(text)
            result["ids"][enc_name][name] = [f"{fnv(ids):016x}", len(ids)]
    with open(OUT, "w") as fh:
        json.dump(result, fh, indent=1)


if __name__ == "__main__":
    main()
