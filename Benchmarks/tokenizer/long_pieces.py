#!/usr/bin/env python3
"""Long pieces for the tokenizer benchmark: writes 1 MB files with no spaces into DIR, plus 1 MB of
the prose corpus to compare with, then (with --time) times tiktoken's encode_ordinary and bpe-openai's encoder on each.

Usage: long_pieces.py DIR CORPUS              write the files
       long_pieces.py DIR CORPUS --time N     also print tiktoken's figures as JSON lines (best of N)
"""
import base64, json, os, random, sys, time

SIZE = 1_000_000


def write(directory, corpus):
    os.makedirs(directory, exist_ok=True)
    rng = random.Random(20261129)
    files = {
        "letters": "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(SIZE)),
        "aaaa": "a" * SIZE,
        "base64": base64.b64encode(rng.randbytes(SIZE * 3 // 4)).decode(),
        "cjk": "".join(chr(rng.randrange(0x4E00, 0x9FA6)) for _ in range(SIZE // 3)),
        "prose": open(os.path.join(corpus, "prose.txt"), encoding="utf-8").read()[:SIZE],
    }
    for name, text in files.items():
        with open(os.path.join(directory, name + ".txt"), "w", encoding="utf-8") as fh:
            fh.write(text)
    return files


def fnv(ids):
    h = 0xCBF29CE484222325
    for i in ids:
        h = ((h ^ i) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:x}"


if __name__ == "__main__":
    files = write(sys.argv[1], sys.argv[2])
    if len(sys.argv) > 4 and sys.argv[3] == "--time":
        import tiktoken
        repeats = int(sys.argv[4])
        for enc_name in ["cl100k_base", "o200k_base"]:
            enc = tiktoken.get_encoding(enc_name)
            for name, text in files.items():
                best = float("inf")
                for _ in range(repeats):
                    c = time.thread_time()
                    ids = enc.encode_ordinary(text)
                    best = min(best, time.thread_time() - c)
                print(json.dumps({"kind": "long-peer", "encoding": enc_name, "file": name,
                                  "bytes": len(text.encode("utf-8")), "tokens": len(ids), "hash": fnv(ids),
                                  "cpu_s": best}), flush=True)
        # bpe-openai (GitHub's linear-time backtracking BPE): its Python wrapper refuses inputs of
        # a million characters or more, so its Rust backend is called directly.
        try:
            import bpe_openai
        except ImportError:
            bpe_openai = None
        for enc_name in ["cl100k_base", "o200k_base"] if bpe_openai else []:
            backend = bpe_openai.get_encoding(enc_name)._backend
            for name, text in files.items():
                best = float("inf")
                for _ in range(repeats):
                    c = time.thread_time()
                    ids = list(backend.encode(text))
                    best = min(best, time.thread_time() - c)
                print(json.dumps({"kind": "long-peer", "peer": "bpe-openai", "encoding": enc_name, "file": name,
                                  "bytes": len(text.encode("utf-8")), "tokens": len(ids), "hash": fnv(ids),
                                  "cpu_s": best}), flush=True)
