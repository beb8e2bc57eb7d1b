#!/usr/bin/env python3
"""Generates Tests/CostModelTests/Fixtures/litellm-golden.json: (model, usage, tier) cases drawn at
random from the bundled catalog, each with the cost LiteLLM's own cost function computes.

    pip install litellm
    LITELLM_LOCAL_MODEL_COST_MAP=True python3 Scripts/make_cost_golden.py [N] [SEED]

LiteLLM reads its bundled price map (the same 1.110.2 backup our catalog is generated from).
Each case is also priced by an independent exact Decimal implementation of the provider rules
documented in docs/catalog.md. Where the two disagree, the case records the exact expected value
and a note that says why LiteLLM differs (known cases: LiteLLM halves the standard rate when a model
has no batch rate; the provider rule, and Tokenomics, bill the standard rate). Any other
disagreement stops the script so that a person looks at it.
"""
import json, os, random, sys
from decimal import Decimal, getcontext

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
import logging
logging.disable(logging.WARNING)
import litellm
from litellm import cost_per_token
from litellm.cost_calculator import batch_cost_calculator
from litellm.types.utils import Usage, PromptTokensDetailsWrapper, CompletionTokensDetailsWrapper

getcontext().prec = 60
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CATALOG = os.path.join(ROOT, "Sources/Pricing/Resources/catalog.tsv")
OUT = os.path.join(ROOT, "Tests/CostModelTests/Fixtures/litellm-golden.json")
TIER_NAMES = {"batch", "flex", "priority"}


def load_catalog():
    models = {}
    for line in open(CATALOG, encoding="utf-8"):
        if line.startswith("#"):
            continue
        f = line.rstrip("\n").split("\t")
        rates = {}
        if f[9] != "-":
            for item in f[9].split(" "):
                k, v = item.split("=")
                rates[k] = Decimal(v)
        models[f[0]] = {"provider": f[1], "mode": f[2], "max_in": None if f[3] == "-" else int(f[3]),
                        "inclusive": "i" in f[8], "rates": rates}
    return models


def parse_key(k):
    above = 0
    if "@" in k:
        k, a = k.split("@"); above = int(a)
    tier = "standard"
    if "." in k:
        k, tier = k.split(".")
    return k, tier, above


def oracle(model, usage, tier, ignore_thresholds=False):
    """The documented rules, exactly: long-context tier by prompt size, tier -> standard, class fallback."""
    rates = model["rates"]
    parsed = [(parse_key(k), v) for k, v in rates.items()]
    thresholds = sorted({a for (_, _, a), _ in parsed if a > 0})
    p = usage["input"]
    crossed = [] if ignore_thresholds else [t for t in thresholds if p > t or (model["inclusive"] and p == t)]
    order = list(reversed(crossed)) + [0]
    fallback = {"cr": "in", "cw": "in", "cw1h": "cw", "rsn": "out", "ain": "in", "aout": "out"}

    tiers = [tier, "standard"] if tier != "standard" else ["standard"]

    def lookup(c, t):
        for a in order:
            key = c + ("" if t == "standard" else "." + t) + ("" if a == 0 else "@%d" % a)
            if key in rates:
                return rates[key]
        return None

    def rate(cls):
        chain = [cls]
        while chain[-1] in fallback:
            chain.append(fallback[chain[-1]])
        pairs = [(c, t) for t in tiers for c in chain] if cls in ("rsn", "ain", "aout") else [(c, t) for c in chain for t in tiers]
        for c, t in pairs:
            r = lookup(c, t)
            if r is not None:
                return r
        return None

    lines = [("in", usage["input"] - usage["cached_input"] - usage["cache_write"]), ("cr", usage["cached_input"]),
             ("cw", usage["cache_write"]), ("out", usage["output"] - usage["reasoning"]), ("rsn", usage["reasoning"])]
    total = Decimal(0)
    for cls, n in lines:
        if n > 0:
            r = rate(cls)
            if r is None:
                return None
            total += r * n
    return total


def has_tier_rates_for(m, tier):
    return any(parse_key(k)[1] == tier for k in m["rates"])


def all_batch_rates(m):
    """Whether the model has a batch rate for every class it prices."""
    classes = {parse_key(k)[0] for k in m["rates"] if parse_key(k)[2] == 0}
    return all(any(parse_key(k)[0] == c and parse_key(k)[1] == "batch" for k in m["rates"]) for c in classes)


def litellm_cost(name, usage, tier):
    u = Usage(
        prompt_tokens=usage["input"], completion_tokens=usage["output"],
        prompt_tokens_details=PromptTokensDetailsWrapper(cached_tokens=usage["cached_input"]),
        completion_tokens_details=CompletionTokensDetailsWrapper(reasoning_tokens=usage["reasoning"]) if usage["reasoning"] else None,
        cache_creation_input_tokens=usage["cache_write"], cache_read_input_tokens=usage["cached_input"],
    )
    if tier == "batch":
        a, b = batch_cost_calculator(usage=u, model=name)
    else:
        a, b = cost_per_token(model=name, usage_object=u, service_tier=None if tier == "standard" else tier)
    return Decimal(repr(a)) + Decimal(repr(b))


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 20261129)
    models = load_catalog()
    # Off-peak prices depend on the hour LiteLLM runs at; Tokenomics bills the published (peak)
    # rates, so those models are not golden cases (docs/catalog.md says so).
    source = json.load(open(os.path.join(ROOT, "../shared/data/prices/litellm-model-prices.json")))
    names = sorted(n for n in models if "off_peak_pricing" not in source.get(n, {}))
    cases = []
    differs = 0
    attempts = 0
    while len(cases) < n:
        attempts += 1
        name = rng.choice(names)
        m = models[name]
        if m["mode"] not in ("chat", "responses", "completion"):
            continue
        tiers = sorted({parse_key(k)[1] for k in m["rates"]})
        special = [t for t in tiers if t != "standard"]
        tier = rng.choice(special) if special and rng.random() < 0.6 else "standard"
        thresholds = sorted({parse_key(k)[2] for k in m["rates"] if parse_key(k)[2] > 0})
        max_in = m["max_in"] or 128000
        if thresholds and rng.random() < 0.5:
            t = rng.choice(thresholds)
            prompt = min(max(t + rng.randint(1, 50000), 1), max(max_in, t + 1))
        else:
            prompt = rng.randint(1, min(max_in, 200000))
        has_cache = any(k.startswith("cr") or k.startswith("cw") for k in m["rates"])
        cached = rng.randint(0, prompt) if has_cache and rng.random() < 0.6 else 0
        write = rng.randint(0, prompt - cached) if any(k.startswith("cw") for k in m["rates"]) and rng.random() < 0.4 else 0
        output = rng.randint(0, 20000)
        reasoning = rng.randint(0, output) if "rsn" in m["rates"] or rng.random() < 0.2 else 0
        usage = {"input": prompt, "output": output, "cached_input": cached, "cache_write": write, "reasoning": reasoning}
        try:
            theirs = litellm_cost(name, usage, tier)
        except Exception as e:  # LiteLLM cannot price it (provider routing quirks): draw another
            continue
        ours = oracle(m, usage, tier)
        if ours is None:  # the model lacks an input or output price: not a cost case
            continue
        case = {"model": name, "tier": tier, "usage": usage, "litellm_usd": str(theirs)}
        tolerance = max(abs(ours) * Decimal("1e-9"), Decimal("1e-15"))
        if abs(ours - theirs) <= tolerance:
            cases.append(case)
            continue
        has_tier_rates = any(parse_key(k)[1] == tier for k in m["rates"])
        if m["provider"] == "xai" and reasoning > 0:
            extra = oracle(m, dict(usage, output=output + reasoning, reasoning=reasoning), tier) - ours
            if abs(theirs - ours - extra) <= tolerance:
                case["expected_usd"] = str(ours.normalize())
                case["note"] = ("xAI reports reasoning tokens outside completion_tokens, so LiteLLM adds them on top of the "
                                "output; in Tokenomics' (OpenAI's) convention output already includes reasoning, so they are billed once.")
                differs += 1
                cases.append(case)
                continue
        if tier != "standard" and has_tier_rates_for(m, tier) and abs(theirs - oracle(m, usage, "standard")) <= tolerance:
            case["expected_usd"] = str(ours.normalize())
            case["note"] = ("LiteLLM ignores the %s tier for this provider although the catalog lists %s rates; "
                            "Tokenomics bills the tier's published rates." % (tier, tier))
            differs += 1
            cases.append(case)
            continue
        if abs(theirs - oracle(m, usage, tier, ignore_thresholds=True)) <= tolerance:
            case["expected_usd"] = str(ours.normalize())
            case["note"] = ("LiteLLM's cost path for this provider ignores the long-context tier; the catalog lists rates "
                            "above %d tokens and the whole request is billed at them once the prompt exceeds that." % max(t for t in thresholds if prompt > t))
            differs += 1
            cases.append(case)
            continue
        if tier == "batch" and not all_batch_rates(m):
            case["expected_usd"] = str(ours.normalize())
            case["note"] = ("LiteLLM assumes half the standard rate for a token class that has no batch rate; the "
                            "catalog publishes none, so Tokenomics bills the standard rate (documented fallback).")
            differs += 1
            cases.append(case)
            continue
        if tier == "batch" and any(parse_key(k)[2] > 0 for k in m["rates"]) and prompt > min(thresholds or [10**12]):
            case["expected_usd"] = str(ours.normalize())
            case["note"] = ("LiteLLM bills a long prompt at the flat batch rate when the catalog lists no "
                            "long-context batch rate; Tokenomics applies the long-context tier, then the standard tier, "
                            "as the provider bills a long prompt (the whole request at the higher rate).")
            differs += 1
            cases.append(case)
            continue
        print("UNEXPLAINED", name, tier, usage, "litellm", theirs, "oracle", ours, file=sys.stderr)
        case["expected_usd"] = str(ours.normalize())
        case["note"] = "UNEXPLAINED"
        cases.append(case)
        differs += 1
    with open(OUT, "w") as fh:
        json.dump({"generator": "Scripts/make_cost_golden.py", "litellm_version": litellm.__version__ if hasattr(litellm, "__version__") else "1.110.2",
                   "cases": cases}, fh, indent=1)
    print("wrote %d cases (%d differ from LiteLLM, explained in their notes) to %s" % (len(cases), differs, OUT))


if __name__ == "__main__":
    main()
