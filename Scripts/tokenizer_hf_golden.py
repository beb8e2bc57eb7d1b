#!/usr/bin/env python3
"""Golden data for the Hugging Face tokenizer.json path, made with the `tokenizers` library.

Writes Tests/TokenizersTests/Golden/hf_golden.json: for anthropic_tokenizer.json and
deepseek_tokenizer.json (../shared/data/vocab), the ids of a set of fixed strings, and the
FNV-1a-64 hash and count of the ids of the first 64 KiB-ish (ending after a newline) of each corpus
file and of the first 2,000 adversarial strings (Scripts/tokenizer_golden.py's generator).
Encoded with add_special_tokens=False; special tokens in the text are recognised, as `tokenizers`
always does.

Usage: python3 Scripts/tokenizer_hf_golden.py
"""
import json, os, sys
from tokenizers import Tokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tokenizer_golden import adversarial_strings, fnv, ADVERSARIAL_SEED, ROOT, GOLDEN, CORPUS  # noqa: E402

VOCAB = os.path.join(ROOT, "..", "shared", "data", "vocab")
HEAD = 64 * 1024
FIXED = ["hello world", "Hello, World! 123 4567", "  leading and trailing  ", "line\r\nnext\rlone\n\n",
         "don't WE'LL it's", "ﬁ ① ｶ Ⅻ", "中文测试，日本語のテキスト。한국어", "e\u0301 \U0001F468\u200d\U0001F469",
         "<|endoftext|>", "def f(x):\n    return x ** 2\n", "<｜begin▁of▁sentence｜>hi", "ab<|endoftext|>cd"]


def head(data):
    nl = data.find(b"\n", HEAD)
    return data[: len(data) if nl < 0 else nl + 1]


def main():
    advs = adversarial_strings(2000, ADVERSARIAL_SEED)
    out = {"head": HEAD, "adversarialCount": 2000, "fixed": FIXED, "tokenizers": {}}
    for name in ["anthropic_tokenizer.json", "deepseek_tokenizer.json"]:
        tok = Tokenizer.from_file(os.path.join(VOCAB, name))
        entry = {"fixed": [tok.encode(s, add_special_tokens=False).ids for s in FIXED], "corpus": {}}
        for f in sorted(os.listdir(CORPUS)):
            text = head(open(os.path.join(CORPUS, f), "rb").read()).decode("utf-8")
            ids = tok.encode(text, add_special_tokens=False).ids
            entry["corpus"][f] = [f"{fnv(ids):016x}", len(ids)]
        h = 0xCBF29CE484222325
        for s in advs:
            h = fnv(tok.encode(s, add_special_tokens=False).ids, h)
            h = ((h ^ 0xFFFFFFFF) * 0x100000001B3) & ((1 << 64) - 1)
        entry["adversarial"] = f"{h:016x}"
        out["tokenizers"][name] = entry
    with open(os.path.join(GOLDEN, "hf_golden.json"), "w") as fh:
        json.dump(out, fh, indent=0, ensure_ascii=True)


if __name__ == "__main__":
    main()
