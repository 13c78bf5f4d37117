"""B8: the bot's answer with a knowledge base of 2,000 entries.

The knowledge base: the 48 bilingual entries of ``bench/bot_eval/kb.json`` and 1,952 more made
from them (each a copy of one of them with words of two others mixed in and an invented product
name, so that the index has the vocabulary and the close topics of a big shop). Imported through
``services.entries_import``, as an admin would. The questions: the evaluation set's 264.

Measured in-process inside ``scope(tenant=...)``: ``services.decide`` (language, person and small
talk, retrieval and the confidence rule: everything the bot computes before it posts), each
question once after the index is built and one warm-up question; p50 and p95. The index's
build time is shown too (once per process and per change of the knowledge base).
"""

from __future__ import annotations

import json
import random
import statistics
import time

from bench.common import ROOT, Env, Row

ENTRIES = 2000
TARGET_MS = 50.0


def _knowledge_base(size: int) -> list[dict]:
    real = json.loads((ROOT / "bench" / "bot_eval" / "kb.json").read_text(encoding="utf-8"))
    rng = random.Random(8)
    rows = list(real)
    while len(rows) < size:
        base, a, b = rng.sample(real, 3)
        n = len(rows)
        product = f"Model{n:04d}"
        row = {"id": f"x{n:04d}", "tags": base.get("tags", [])}
        for lang in ("en", "tr"):
            extra = " ".join(
                rng.sample(a[f"question_{lang}"].split(), 2)
                + rng.sample(b[f"question_{lang}"].split(), 2)
            )
            row[f"question_{lang}"] = f"{base[f'question_{lang}']} {product} {extra}"
            row[f"variants_{lang}"] = [f"{v} {product}" for v in base.get(f"variants_{lang}", [])]
            row[f"answer_{lang}"] = f"{base[f'answer_{lang}']} ({product})"
        rows.append(row)
    return rows


def _questions() -> list[str]:
    out = []
    for name in ("tune.jsonl", "heldout.jsonl"):
        path = ROOT / "bench" / "bot_eval" / name
        out += [
            json.loads(line)["q"]
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
    return out


def run(env: Env, tenant_id: int) -> list[Row]:
    from django_scopes import scope

    from apps.bot import selectors, services
    from apps.tenants.models import Tenant

    size = env.size(full=ENTRIES, quick=ENTRIES, smoke=200)
    tenant = Tenant.objects.get(pk=tenant_id)
    questions = _questions()
    with scope(tenant=tenant):
        report = services.entries_import(
            tenant_id=tenant_id, raw=json.dumps(_knowledge_base(size)), kind="json"
        )
        assert report.ok, report.errors[:3]
        started = time.perf_counter()
        selectors.workspace_index(tenant_id=tenant_id)
        build_ms = (time.perf_counter() - started) * 1000
        services.decide(tenant_id=tenant_id, question=questions[0])  # loads the language models
        times = []
        for question in questions:
            started = time.perf_counter()
            services.decide(tenant_id=tenant_id, question=question, fallback_language="en")
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    note = f"{size} entries, {len(questions)} questions"
    return [
        Row("B8", "bot answer p50", statistics.median(times), "ms", note=note),
        Row(
            "B8",
            "bot answer p95",
            p95,
            "ms",
            target=f"≤ {TARGET_MS:.0f} ms",
            ok=p95 <= TARGET_MS,
            note=note,
        ),
        Row("B8", "index build (once per change)", build_ms, "ms", note=note),
    ]
