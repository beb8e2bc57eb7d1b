"""Drives the gateway with the official openai SDK, as a product's backend would.

Usage: python3 openai_client.py BASE_URL KEY
Prints one JSON object: what the SDK returned for a plain call, a stream, a stream with usage,
an embedding, and the error it raised for an over-budget or unknown-model call.
"""
import json
import sys

import openai

base_url, key = sys.argv[1], sys.argv[2]
client = openai.OpenAI(base_url=base_url, api_key=key, max_retries=0)
out = {}

completion = client.chat.completions.create(model="fast", messages=[{"role": "user", "content": "Say hello"}], max_tokens=30)
out["plain"] = {"content": completion.choices[0].message.content, "prompt_tokens": completion.usage.prompt_tokens,
                "cached": completion.usage.prompt_tokens_details.cached_tokens}

text, chunks_with_usage = "", 0
for chunk in client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}], stream=True, max_tokens=30):
    if chunk.usage is not None:
        chunks_with_usage += 1
    for choice in chunk.choices:
        text += choice.delta.content or ""
out["stream"] = {"text": text, "usage_chunks": chunks_with_usage}

usage = None
for chunk in client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}], stream=True,
                                            stream_options={"include_usage": True}, max_tokens=30):
    if chunk.usage is not None:
        usage = chunk.usage.completion_tokens
out["stream_with_usage"] = {"completion_tokens": usage}

embedding = client.embeddings.create(model="text-embedding-3-small", input=["a", "b"])
out["embedding"] = {"count": len(embedding.data), "prompt_tokens": embedding.usage.prompt_tokens}

try:
    client.chat.completions.create(model="gpt-4o-minii", messages=[{"role": "user", "content": "Hi"}])
    out["unknown_model"] = None
except openai.NotFoundError as error:
    out["unknown_model"] = {"status": error.status_code, "code": error.code}

try:
    client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "Hi"}], max_tokens=100000)
    out["over_budget"] = None
except openai.RateLimitError as error:
    out["over_budget"] = {"status": error.status_code, "code": error.code}

print(json.dumps(out))
