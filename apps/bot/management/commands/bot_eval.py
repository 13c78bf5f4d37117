"""``manage.py bot_eval --workspace SLUG FILE.jsonl``: how well the bot answers a set of
questions, asked the way the chat window asks (``services.decide``).

Each line: ``{"q": "...", "expect": "<entry id>" | "handoff" | "smalltalk", "kind": "..."}``.
A question is *right* when the bot does what is expected; *confidently wrong* when it answers
with an entry that is not the expected one (or answers when it should hand off); *handoff* when
it hands off (or says it does not know) where something else was expected. Printed overall and
per kind, as fractions of n, with *suggested*: handed off, but the expected entry was among the
suggestions the visitor can press. ``--json`` prints one object. ``--baseline`` asks plain BM25
instead (``retrieval.BaselineIndex``), answering when its best score reaches ``--threshold``.
"""

import json
from collections import defaultdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from apps.bot import retrieval, selectors, services
from apps.bot.models import Answer, Entry
from apps.tenants.models import Tenant

BASELINE_THRESHOLD = 6.0
OUTCOMES = ("right", "confidently_wrong", "handoff")


class Command(BaseCommand):
    help = "Measure the bot's answers against a JSONL file of questions and expected answers."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True, help="the workspace's address (slug)")
        parser.add_argument("file", help="a .jsonl file")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--language", default="en", help="the visitors' browser language")
        parser.add_argument("--baseline", action="store_true", help="plain BM25 instead")
        parser.add_argument("--threshold", type=float, default=BASELINE_THRESHOLD)
        parser.add_argument("--show", action="store_true", help="print every miss")

    def handle(self, *args, workspace, file, **options):
        tenant = Tenant.objects.filter(slug=workspace).first()
        if tenant is None:
            raise CommandError(f"No workspace with the address {workspace!r}.")
        cases = _read(Path(file))
        with scope(tenant=tenant):
            ids = dict(Entry.objects.values_list("pk", "external_id"))
            ask = _baseline(tenant, options["threshold"]) if options["baseline"] else None
            tally: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            for number, case in enumerate(cases, start=1):
                got, suggested = (
                    (ask(case["q"]), [])
                    if ask
                    else _ask(tenant, case["q"], options["language"], ids)
                )
                outcome = _outcome(case["expect"], got)
                for key in ("overall", case.get("kind") or "-"):
                    tally[key]["n"] += 1
                    if outcome:
                        tally[key][outcome] += 1
                    if outcome == "handoff" and case["expect"] in suggested:
                        tally[key]["suggested"] += 1
                if options["show"] and outcome != "right":
                    self.stdout.write(
                        f"{number:4} {outcome or 'other':18} expect={case['expect']:10} "
                        f"got={got:10} {case['q']}"
                    )
        overall = tally.pop("overall", {"n": 0})
        report = {
            "overall": _fractions(overall),
            "kinds": {kind: _fractions(tally[kind]) for kind in sorted(tally)},
        }
        if options["json"]:
            self.stdout.write(json.dumps(report))
            return
        self.stdout.write(f"{'':14}{'n':>5}{'right':>8}{'wrong':>8}{'handoff':>9}{'suggested':>11}")
        rows = [("overall", overall), *((kind, tally[kind]) for kind in sorted(tally))]
        for name, counts in rows:
            row = _fractions(counts)
            suggested = counts.get("suggested", 0) / row["n"] if row["n"] else 0.0
            self.stdout.write(
                f"{name:14}{row['n']:>5}{row['right']:>8.1%}"
                f"{row['confidently_wrong']:>8.1%}{row['handoff']:>9.1%}{suggested:>11.1%}"
            )


def _read(path: Path) -> list[dict]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc}") from exc
    cases = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CommandError(f"line {number}: not JSON ({exc.msg})") from exc
        if not isinstance(case, dict) or not isinstance(case.get("q"), str) or "expect" not in case:
            raise CommandError(f'line {number}: needs "q" and "expect"')
        cases.append(case)
    return cases


def _ask(
    tenant: Tenant, question: str, language: str, ids: dict[int, str]
) -> tuple[str, list[str]]:
    """What the bot does ("handoff", "smalltalk" or an entry's id) and the entries it
    suggests."""
    decision = services.decide(tenant_id=tenant.pk, question=question, fallback_language=language)
    if decision.kind == Answer.Kind.ANSWER:
        return ids.get(decision.entry_id, "?"), []
    if decision.kind == Answer.Kind.SMALLTALK:
        return "smalltalk", []
    return "handoff", [ids.get(i, "?") for i in decision.suggested]


def _baseline(tenant: Tenant, threshold: float):
    entries = list(Entry.objects.filter(enabled=True))
    ids = {e.pk: e.external_id for e in entries}
    index = retrieval.BaselineIndex(selectors.entry_source(e) for e in entries)
    limits = retrieval.Thresholds(score=threshold, margin=0)

    def ask(question: str) -> str:
        result = index.search(question, thresholds=limits)
        return ids[result.best.id] if result.confident else "handoff"

    return ask


def _outcome(expect: str, got: str) -> str:
    if got == expect:
        return "right"
    if got not in ("handoff", "smalltalk"):
        return "confidently_wrong"
    if got == "handoff":
        return "handoff"
    return ""  # small talk where a question was asked, or the other way round


def _fractions(row) -> dict:
    n = row.get("n", 0)
    return {"n": n, **{k: round(row.get(k, 0) / n, 4) if n else 0.0 for k in OUTCOMES}}
