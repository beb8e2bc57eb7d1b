#!/usr/bin/env python3
"""tiktoken and bpe-openai on the shared corpus, one thread: encode MB/s, load time, memory.
Prints one JSON object per line, like the Swift benchmark. Needs TIKTOKEN_CACHE_DIR filled offline
(run.sh does it from ../shared/data/vocab)."""
import json, os, resource, sys, time

corpus = sys.argv[1]
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
files = ["prose.txt", "code.txt", "multi.txt"]


def fnv(ids):
    h = 0xCBF29CE484222325
    for i in ids:
        h = ((h ^ i) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:x}"


def rss():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def chunks(text, size, limit=None):
    """The text's lines grouped into chunks of at least `size` bytes of UTF-8 (each ends after a
    newline), at most `limit` of them. With size 2,000 and limit 1,000 these are the request-sized
    chunks of the Swift benchmark."""
    data = text.encode("utf-8")
    out, start = [], 0
    while start < len(data) and (limit is None or len(out) < limit):
        nl = data.find(b"\n", start + size - 1)
        end = len(data) if nl < 0 else nl + 1
        out.append(data[start:end].decode("utf-8"))
        start = end
    return out


def run(peer, module):
    for name in ["cl100k_base", "o200k_base"]:
        before = rss()
        start = time.perf_counter()
        enc = module.get_encoding(name)
        enc.encode_ordinary("warm up")  # some peers build lazily
        load = time.perf_counter() - start
        print(json.dumps({"kind": "load", "peer": peer, "encoding": name, "ms": load * 1000,
                          "rss_bytes": rss() - before}), flush=True)
        for f in files:
            text = open(os.path.join(corpus, f), encoding="utf-8").read()
            size = len(text.encode("utf-8"))
            best = float("inf")
            best_cpu = float("inf")
            ids = None
            # bpe-openai refuses long inputs: give it chunks that end after a newline (ids then may
            # differ from whole-file encoding at chunk boundaries, so its hash is not compared).
            pieces = [text] if peer == "tiktoken" else chunks(text, 50_000)
            for _ in range(repeats):
                t = time.perf_counter()
                c = time.thread_time()
                ids = []
                for piece in pieces:
                    ids += enc.encode_ordinary(piece)
                best_cpu = min(best_cpu, time.thread_time() - c)
                best = min(best, time.perf_counter() - t)
            print(json.dumps({"kind": "peer", "peer": peer, "encoding": name, "file": f, "bytes": size,
                              "tokens": len(ids), "hash": fnv(ids), "encode_mbps": size / best / 1e6, "encode_cpu_mbps": size / best_cpu / 1e6}), flush=True)
            # Request-sized inputs: one call per chunk, as a gateway counts requests.
            requests = chunks(text, 2_000, 1_000)
            chunk_bytes = sum(len(c.encode("utf-8")) for c in requests)
            best_cpu = float("inf")
            for _ in range(repeats):
                c = time.thread_time()
                ids = []
                for chunk in requests:
                    ids += enc.encode_ordinary(chunk)
                best_cpu = min(best_cpu, time.thread_time() - c)
            print(json.dumps({"kind": "peer-chunks", "peer": peer, "encoding": name, "file": f,
                              "chunks": len(requests), "bytes": chunk_bytes, "tokens": len(ids), "hash": fnv(ids),
                              "encode_cpu_mbps": chunk_bytes / best_cpu / 1e6}), flush=True)


which = sys.argv[3] if len(sys.argv) > 3 else "tiktoken,bpe-openai"
for peer in which.split(","):
    if peer == "tiktoken":
        import tiktoken
        run("tiktoken", tiktoken)
    elif peer == "bpe-openai":
        import bpe_openai
        run("bpe-openai", bpe_openai)
