"""B6: the inbox with a big workspace vs an empty one.

Seeding is direct (COPY through psycopg, one transaction), not through the services:
visitors (one session and three page views each), conversations (about 5 % open, the rest
resolved, numbers 1..N per workspace, ``last_message`` set) and messages whose bodies are
encrypted exactly as ``EncryptedTextField`` stores them (``apps.core.crypto.encrypt``; 200
pre-encrypted bodies cycled, since Fernet costs ~20 µs a row). Then ANALYZE, as autovacuum
would after a load like this.

Measured inside ``scope(tenant=...)`` with ``CaptureQueriesContext`` and ``perf_counter``
(median of 20 after 3 warm-ups):

* opening the inbox as ``InboxConsumer`` answers it: the conversations waiting for the operator
  (``attention_numbers``, in ``ready``), then the first page of the default view (open, latest
  activity first: ``inbox_list``, ``LIST_PAGE`` rows) with the tabs' counts (``inbox_counts``);
* opening a conversation as ``InboxConsumer.frame_subscribe`` does (the ``history`` frame):
  ``conversation_by_number`` + ``conversation_messages(after_id=None)`` + ``visitor_panel`` +
  ``conversation_activities`` + ``conversation_summary``.

Workspaces: "big" (N conversations / M messages), "empty" (1 conversation, 3 messages: the
empty-database reference the target names) and "page-full" (300 conversations of 10 messages:
the same page size as big with next to no data, which isolates the data-size effect from the
page-size effect). Plans of the big workspace's queries: EXPLAIN (ANALYZE, BUFFERS).
"""

from __future__ import annotations

import json
import random
import re
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

import psycopg

from bench.common import Env, Row

RUNS = 20
WARMUP = 3
OPEN_SHARE = 0.05
BODIES = 200
LONG_CONVERSATION = 2000
SAMPLE_OPENS = 30
LATENCY_RATIO_TARGET = 3.0
BIG_TABLES = (
    "conversations_message",
    "conversations_conversation",
    "visitors_visitor",
    "visitors_pageview",
    "visitors_visitorsession",
)

SAMPLE_TEXTS = [
    "Hi, is this still in stock?",
    "I ordered last week and have not received a shipping confirmation yet. Order 10{n}.",
    "Thanks, that helps a lot!",
    "Can I change the delivery address on my order? I moved last month and forgot to update it.",
    "What sizes do you have for the blue one?",
    "Sure, let me check that for you.",
    "Your order shipped this morning; the tracking number is in your email.",
    "Do you ship to Germany? And how long does it usually take?",
    "ok",
    "I was charged twice for the same order, can you look into it please? " * 2,
]


def _bodies() -> list[str]:
    from apps.core.crypto import encrypt

    rnd = random.Random(5)
    return [encrypt(rnd.choice(SAMPLE_TEXTS).format(n=i)) for i in range(BODIES)]


def _next_ids(cur, tables: list[str]) -> dict[str, int]:
    out = {}
    for t in tables:
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {t}")  # noqa: S608 (own table names)
        out[t] = cur.fetchone()[0] + 1
    return out


def seed(
    database_url: str,
    *,
    tenant_id: int,
    author_id: int,
    conversations: int,
    messages: int,
    seed_value: int = 1,
) -> dict:
    """COPY ``conversations`` conversations holding ``messages`` messages into one workspace."""
    rnd = random.Random(seed_value)
    t0 = time.perf_counter()
    bodies = _bodies()
    t_enc = time.perf_counter() - t0
    now = datetime.now(UTC)
    visitors = max(1, int(conversations * 0.8))  # some visitors come back
    # messages per conversation: around the mean, at least 1, summing to ``messages``
    mean = messages / conversations
    counts = [max(1, int(rnd.uniform(0.2, 1.8) * mean)) for _ in range(conversations)]
    if conversations > 1000:
        counts[0] = LONG_CONVERSATION  # #1: a long one, past the 100-message history page
    diff = messages - sum(counts)
    i = 0
    while diff:
        j = i % conversations
        if diff > 0:
            counts[j] += 1
            diff -= 1
        elif counts[j] > 1:
            counts[j] -= 1
            diff += 1
        i += 1
    no_details = ""  # an empty, encrypted JSON column (apps.core.crypto.EncryptedJSONField)
    with psycopg.connect(database_url) as conn, conn.cursor() as cur:
        ids = _next_ids(
            cur,
            [
                "visitors_visitor",
                "visitors_visitorsession",
                "visitors_pageview",
                "conversations_conversation",
                "conversations_message",
            ],
        )
        v0, s0 = ids["visitors_visitor"], ids["visitors_visitorsession"]
        p0 = ids["visitors_pageview"]
        c0, m0 = ids["conversations_conversation"], ids["conversations_message"]
        span = timedelta(days=90).total_seconds()

        v_seen = {}
        with cur.copy(
            "COPY visitors_visitor (id, public_id, external_id, external_id_hash, name, email, "
            "verified_at, attributes, unverified, first_seen_at, last_seen_at, visits, tenant_id) "
            "FROM STDIN"
        ) as cp:
            for v in range(visitors):
                first = now - timedelta(seconds=rnd.uniform(0, span))
                last = first + timedelta(seconds=rnd.uniform(0, (now - first).total_seconds()))
                v_seen[v0 + v] = last
                cp.write_row(
                    (
                        v0 + v,
                        uuid.UUID(int=rnd.getrandbits(128), version=4),
                        "",
                        "",
                        "",
                        "",
                        None,
                        no_details,
                        no_details,
                        first,
                        last,
                        rnd.randint(1, 6),
                        tenant_id,
                    )
                )
        with cur.copy(
            "COPY visitors_visitorsession (id, started_at, last_seen_at, user_agent, browser, os, "
            "language, timezone, screen, tenant_id, visitor_id) FROM STDIN"
        ) as cp:
            for v in range(visitors):
                last = v_seen[v0 + v]
                cp.write_row(
                    (
                        s0 + v,
                        last - timedelta(minutes=5),
                        last,
                        "Mozilla/5.0 (X11; Linux x86_64) Chrome/126",
                        "Chrome",
                        "Linux",
                        "en-US",
                        "Europe/Istanbul",
                        "1920x1080",
                        tenant_id,
                        v0 + v,
                    )
                )
        with cur.copy(
            "COPY visitors_pageview (id, url, title, referrer, viewed_at, tenant_id, session_id, "
            "visitor_id) FROM STDIN"
        ) as cp:
            pid = p0
            for v in range(visitors):
                last = v_seen[v0 + v]
                for k in range(3):
                    cp.write_row(
                        (
                            pid,
                            f"https://shop.example/products/{rnd.randint(1, 5000)}",
                            f"Product {k}",
                            "https://search.example/",
                            last - timedelta(minutes=k),
                            tenant_id,
                            s0 + v,
                            v0 + v,
                        )
                    )
                    pid += 1

        # conversations, then messages; last_message is known up front (FK deferred to commit)
        conv_rows = []
        mid = m0
        msg_plan = []  # (conversation id, first message id, count, start time)
        for n in range(conversations):
            cid = c0 + n
            created = now - timedelta(seconds=rnd.uniform(600, span))
            count = counts[n]
            msg_plan.append((cid, mid, count, created))
            last_id = mid + count - 1
            last_at = created + timedelta(seconds=30 * count)
            is_open = rnd.random() < OPEN_SHARE
            conv_rows.append(
                (
                    cid,
                    n + 1,
                    f"c_bench{tenant_id}_{n + 1}",
                    "open" if is_open else "resolved",
                    created,
                    last_at,
                    None if is_open else last_at + timedelta(minutes=5),
                    last_at if is_open and rnd.random() < 0.5 else None,
                    rnd.randint(0, 3) if is_open else 0,
                    0,
                    tenant_id,
                    v0 + rnd.randrange(visitors),
                    last_id,
                )
            )
            mid += count
        with cur.copy(
            "COPY conversations_conversation (id, number, public_id, status, created_at, "
            "last_activity_at, resolved_at, waiting_since, operator_unread, visitor_unread, "
            "tenant_id, visitor_id, last_message_id) FROM STDIN"
        ) as cp:
            for row in conv_rows:
                cp.write_row(row)
        with cur.copy(
            "COPY conversations_message (id, sender, body, client_id, created_at, delivered_at, "
            "read_at, author_id, conversation_id, tenant_id) FROM STDIN"
        ) as cp:
            b = 0
            for cid, first_id, count, created in msg_plan:
                for k in range(count):
                    at = created + timedelta(seconds=30 * k)
                    visitor_side = k % 2 == 0
                    cp.write_row(
                        (
                            first_id + k,
                            "visitor" if visitor_side else "operator",
                            bodies[b % BODIES],
                            f"cl{first_id + k}" if visitor_side else "",
                            at,
                            at,
                            at,
                            None if visitor_side else author_id,
                            cid,
                            tenant_id,
                        )
                    )
                    b += 1
        for t in (
            "visitors_visitor",
            "visitors_visitorsession",
            "visitors_pageview",
            "conversations_conversation",
            "conversations_message",
        ):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), "  # noqa: S608
                f"(SELECT MAX(id) FROM {t}))"
            )
        cur.execute(
            "UPDATE tenants_tenant SET conversation_seq = %s WHERE id = %s",
            (conversations, tenant_id),
        )
        conn.commit()
    with psycopg.connect(database_url, autocommit=True) as conn:
        for t in BIG_TABLES:
            conn.execute(f"ANALYZE {t}")
    return {
        "conversations": conversations,
        "messages": messages,
        "visitors": visitors,
        "encrypt_s": round(t_enc, 3),
        "seconds": round(time.perf_counter() - t0, 2),
    }


def _measure(fn, tenant) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scope

    times, counts, queries = [], set(), []
    with scope(tenant=tenant):
        for i in range(WARMUP + RUNS):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                result = fn()
                elapsed = (time.perf_counter() - t0) * 1000
            counts.add(len(ctx.captured_queries))
            queries = [q["sql"] for q in ctx.captured_queries]
            if i >= WARMUP:
                times.append(elapsed)
    return {
        "ms": statistics.median(times),
        "p95": sorted(times)[int(0.95 * (len(times) - 1))],
        "queries": sorted(counts),
        "sql": queries,
        "result": result,
    }


def _inbox(tenant):
    """What opening the inbox asks of the database (``InboxConsumer.send_ready`` and the first
    ``list`` request of the default view): the conversations waiting for the operator, the
    first page of open conversations by latest activity, the tabs' counts."""
    from django_scopes import scope

    from apps.conversations import selectors
    from apps.tenants.models import Membership

    with scope(tenant=tenant):
        membership = Membership.objects.select_related("user").filter(tenant=tenant).first()

    def open_inbox():
        filters = {"status": "open"}
        selectors.attention_numbers(membership=membership)
        page = selectors.inbox_list(membership=membership, filters=filters)
        selectors.inbox_counts(membership=membership, filters=filters)
        return page["conversations"]

    return open_inbox


def _opener(number: int):
    def open_conversation():
        from apps.conversations import selectors

        conversation = selectors.conversation_by_number(number=number)
        return (
            selectors.conversation_messages(conversation=conversation, after_id=None),
            selectors.visitor_panel(
                visitor=conversation.visitor, exclude_conversation=conversation
            ),
            selectors.conversation_activities(conversation=conversation),
            selectors.conversation_summary(conversation=conversation),
        )

    return open_conversation


def _explain(sqls: list[str], tenant) -> list[dict]:
    from django.db import connection

    plans = []
    with connection.cursor() as cur:
        for sql in sqls:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(r[0] for r in cur.fetchall())
            seq = sorted(set(re.findall(r"Seq Scan on (\w+)", plan)))
            big_seq = [t for t in seq if t in BIG_TABLES]
            idx = sorted(
                set(re.findall(r"Index(?: Only)? Scan(?: Backward)? using (\w+)", plan))
                | set(re.findall(r"Bitmap Index Scan on (\w+)", plan))
            )
            ms = re.search(r"Execution Time: ([\d.]+) ms", plan)
            plans.append(
                {
                    "sql": sql,
                    "plan": plan,
                    "seq_scans": seq,
                    "big_seq_scans": big_seq,
                    "indexes": idx,
                    "exec_ms": float(ms.group(1)) if ms else None,
                }
            )
    return plans


def _new_workspace(name: str):
    import os

    from django_scopes import scope

    from apps.tenants.models import Membership, Role, Tenant, User
    from apps.tenants.services import widget_settings_get

    tenant = Tenant.objects.create(name=name, slug=f"b6-{name}-{os.getpid()}")
    with scope(tenant=tenant):
        widget_settings_get(tenant=tenant)
        user = User.objects.create_user(f"op@{tenant.slug}.bench", None, full_name="Operator")
        Membership.objects.create(tenant=tenant, user=user, role=Role.OPERATOR)
    return tenant, user


def _operator_of(tenant):
    from django_scopes import scope

    from apps.tenants.models import Membership

    with scope(tenant=tenant):
        return Membership.objects.filter(tenant=tenant).select_related("user").first().user


def _pick_conversation(database_url: str, tenant_id: int, messages_mean: float) -> tuple[int, int]:
    """An open conversation of the workspace holding about the mean number of messages."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT c.number, count(m.id) FROM conversations_conversation c "
            "JOIN conversations_message m ON m.conversation_id = c.id "
            "WHERE c.tenant_id = %s AND c.status = 'open' GROUP BY c.number "
            "ORDER BY abs(count(m.id) - %s), c.number LIMIT 1",
            (tenant_id, messages_mean),
        ).fetchone()
    return row[0], row[1]


def run(env: Env, workspaces) -> list[Row]:
    from apps.tenants.models import Tenant

    n_conv, n_msg = env.size(full=(100_000, 1_000_000), quick=(10_000, 100_000), smoke=(300, 3_000))
    big = Tenant.objects.get(pk=workspaces[0].tenant_id)
    empty = Tenant.objects.get(pk=workspaces[1].tenant_id)
    fuller, fuller_user = _new_workspace("pagefull")
    details: dict = {"mode": "smoke" if env.smoke else "quick" if env.quick else "full"}

    details["seed_big"] = seed(
        env.database_url,
        tenant_id=big.pk,
        author_id=_operator_of(big).pk,
        conversations=n_conv,
        messages=n_msg,
        seed_value=1,
    )
    details["seed_empty"] = seed(
        env.database_url,
        tenant_id=empty.pk,
        author_id=_operator_of(empty).pk,
        conversations=1,
        messages=3,
        seed_value=2,
    )
    # every conversation open in the empty one, so it has something to open
    with psycopg.connect(env.database_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE conversations_conversation SET status = 'open', resolved_at = NULL "
            "WHERE tenant_id = %s",
            (empty.pk,),
        )
    details["seed_pagefull"] = seed(
        env.database_url,
        tenant_id=fuller.pk,
        author_id=fuller_user.pk,
        conversations=300,
        messages=3000,
        seed_value=3,
    )
    with psycopg.connect(env.database_url, autocommit=True) as conn:
        # 200 open + 100 resolved: the same page as the big workspace (200 open + 50 resolved)
        conn.execute(
            "UPDATE conversations_conversation SET status = CASE WHEN number <= 200 THEN 'open' "
            "ELSE 'resolved' END WHERE tenant_id = %s",
            (fuller.pk,),
        )
        conn.execute("ANALYZE conversations_conversation")

    mean = n_msg / n_conv
    picks = {
        "big": (big, *_pick_conversation(env.database_url, big.pk, mean)),
        "empty": (empty, *_pick_conversation(env.database_url, empty.pk, 3)),
        "pagefull": (fuller, *_pick_conversation(env.database_url, fuller.pk, mean)),
    }
    results = {}
    for name, (tenant, number, count) in picks.items():
        inbox = _measure(_inbox(tenant), tenant)
        opened = _measure(_opener(number), tenant)
        results[name] = {"inbox": inbox, "open": opened, "number": number, "messages": count}
        details[name] = {
            "inbox": {k: inbox[k] for k in ("ms", "p95", "queries", "sql")}
            | {"rows": len(inbox["result"])},
            "open": {k: opened[k] for k in ("ms", "p95", "queries", "sql")}
            | {"conversation": number, "messages": count},
        }

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scope

    # query count over many conversations of the big workspace: visitors with 1 or more visits,
    # 1..2000 messages (#1 is the long one)
    with psycopg.connect(env.database_url) as conn:
        sample = conn.execute(
            "SELECT c.number, v.visits, (SELECT count(*) FROM conversations_message m "
            "WHERE m.conversation_id = c.id) FROM conversations_conversation c "
            "JOIN visitors_visitor v ON v.id = c.visitor_id WHERE c.tenant_id = %s "
            "ORDER BY c.number LIMIT %s",
            (big.pk, SAMPLE_OPENS),
        ).fetchall()
    by_count: dict[int, list] = {}
    with scope(tenant=big):
        for number, visits, count in sample:
            with CaptureQueriesContext(connection) as ctx:
                _opener(number)()
            by_count.setdefault(len(ctx.captured_queries), []).append(
                {"number": number, "visits": visits, "messages": count}
            )
        long_open = _measure(_opener(1), big) if n_conv > 1000 else None
    details["open_query_counts"] = by_count

    with scope(tenant=big):
        sqls = results["big"]["inbox"]["sql"] + results["big"]["open"]["sql"]
        if long_open:
            sqls += [
                q
                for q in long_open["sql"]
                if "conversations_message" in q.split("FROM")[1] and "tenants_user" in q
            ]
        plans = _explain(sqls, big)
    details["plans_big"] = plans

    rows: list[Row] = []

    def count(n: int) -> str:
        return f"{n // 1000} k" if n >= 1000 else str(n)

    size = f"{count(n_conv)} conversations / {count(n_msg)} messages"
    rows.append(
        Row(
            "B6",
            "seed (COPY, one transaction)",
            details["seed_big"]["seconds"],
            "s",
            note=f"{size}, {details['seed_big']['visitors']} visitors + 1 session + "
            "3 page views each",
        )
    )
    for what, label in (
        ("inbox", "opening the inbox (waiting + first page + counts)"),
        ("open", "open conversation (history frame)"),
    ):
        b, e, f = results["big"][what], results["empty"][what], results["pagefull"][what]
        same = b["queries"] == e["queries"] == f["queries"] and len(b["queries"]) == 1
        rows.append(
            Row(
                "B6",
                f"{label}: queries",
                b["queries"][0] if len(b["queries"]) == 1 else None,
                "queries",
                baseline=e["queries"][0] if len(e["queries"]) == 1 else None,
                target="equal to empty (independent of data and page size)",
                ok=same,
                note=f"big {b['queries']}, empty {e['queries']}, page-full {f['queries']}",
            )
        )
        extra = (
            f"; rows big {len(b['result'])} vs empty {len(e['result'])}"
            if what == "inbox"
            else f"; messages big #{results['big']['number']} {results['big']['messages']}, "
            f"empty {results['empty']['messages']}"
        )
        rows.append(
            Row(
                "B6",
                f"{label}: latency, {size} vs empty",
                round(b["ms"], 2),
                "ms",
                baseline=round(e["ms"], 2),
                target=f"≤ {LATENCY_RATIO_TARGET:g}× empty",
                ok=b["ms"] <= LATENCY_RATIO_TARGET * e["ms"],
                note=f"median of {RUNS}; p95 {b['p95']:.2f} ms; empty = 1 conversation, 3 messages"
                + extra,
            )
        )
        rows.append(
            Row(
                "B6",
                f"{label}: latency vs page-full small workspace",
                round(b["ms"], 2),
                "ms",
                baseline=round(f["ms"], 2),
                target=f"≤ {LATENCY_RATIO_TARGET:g}× (same page size)",
                ok=b["ms"] <= LATENCY_RATIO_TARGET * f["ms"],
                note="page-full = 300 conversations / 3000 messages (200 open): same rows per "
                "page, so the ratio isolates data size",
            )
        )
    counts_seen = sorted(by_count)
    rows.append(
        Row(
            "B6",
            f"open conversation: queries over {len(sample)} big-workspace conversations",
            counts_seen[-1],
            "queries",
            target="one count for all",
            ok=len(counts_seen) == 1,
            note="; ".join(
                f"{c} queries: {len(v)} conversations (visits {sorted({x['visits'] for x in v})}, "
                f"messages {min(x['messages'] for x in v)}..{max(x['messages'] for x in v)})"
                for c, v in sorted(by_count.items())
            ),
        )
    )
    if long_open:
        rows.append(
            Row(
                "B6",
                f"open the long conversation ({LONG_CONVERSATION} messages, 100 sent)",
                round(long_open["ms"], 2),
                "ms",
                baseline=round(results["empty"]["open"]["ms"], 2),
                target=f"≤ {LATENCY_RATIO_TARGET:g}× empty",
                ok=long_open["ms"] <= LATENCY_RATIO_TARGET * results["empty"]["open"]["ms"],
                note=f"queries {long_open['queries']}; page-size bound: 100 of 2000 messages",
            )
        )
    bad = [p for p in plans if p["big_seq_scans"]]
    rows.append(
        Row(
            "B6",
            "big-workspace plans: seq scans on big tables",
            len(bad),
            "queries",
            # At smoke sizes the "big" tables fit in a few pages, where a seq scan is the
            # planner's right choice: the figure is judged from the quick mode up.
            target="0" if not env.smoke else "0 (not judged at smoke sizes)",
            ok=not bad if not env.smoke else None,
            note="; ".join(
                f"{', '.join(p['indexes']) or 'no index'} ({p['exec_ms']} ms)" for p in plans
            ),
        )
    )

    out = env.out_dir / "b6_inbox.json"
    out.write_text(
        json.dumps(
            {"rows": [r.as_dict() for r in rows], "details": details, "at": time.time()},
            indent=2,
            default=str,
        )
    )
    (env.out_dir / "b6_plans.txt").write_text(
        "\n\n".join(f"-- {p['sql']}\n{p['plan']}" for p in plans)
    )
    return rows
