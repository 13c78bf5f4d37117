"""The bench database: created fresh each run, migrated, seeded through the services."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass

import psycopg

from bench.common import BENCH_DB, ROOT, Env


def prepare_database(env: Env) -> None:
    with psycopg.connect(env.admin_database_url, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (BENCH_DB,),
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    for command in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env.server_env(), check=True
        )
    with psycopg.connect(env.database_url, autocommit=True) as conn:
        # The raw baseline writes the same row shape as Sohbet's messages.
        conn.execute("CREATE TABLE bench_message (LIKE conversations_message INCLUDING ALL)")
    import redis

    redis.Redis.from_url(env.redis_url).flushdb()


def data_directory(env: Env) -> str | None:
    """PostgreSQL's data directory (bench/machine.py flushes a scratch file beside it), or
    None when the server will not say (not a superuser)."""
    try:
        with psycopg.connect(env.admin_database_url, autocommit=True) as conn:
            return conn.execute("SHOW data_directory").fetchone()[0]
    except psycopg.Error:
        return None


def django_setup(env: Env) -> None:
    """This process talks to the bench database with the same settings as the servers."""
    os.environ.update(env.server_env())
    import django

    django.setup()


@dataclass
class Workspace:
    slug: str
    widget_key: str
    tenant_id: int
    operator_sessions: list[str]


def seed_workspaces(count: int, operators_each: int) -> list[Workspace]:
    """``count`` workspaces, each with ``operators_each`` signed-in operators (session keys)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_scopes import scope

    from apps.tenants.models import Membership, Role, Tenant, User
    from apps.tenants.services import widget_settings_get

    out = []
    for w in range(count):
        tenant = Tenant.objects.create(name=f"Bench {w}", slug=f"bench-{w}-{uuid.uuid4().hex[:8]}")
        sessions = []
        with scope(tenant=tenant):
            widget_settings_get(tenant=tenant)
            for o in range(operators_each):
                user = User.objects.create_user(
                    f"op{o}@{tenant.slug}.bench", None, full_name=f"Operator {o}"
                )
                Membership.objects.create(tenant=tenant, user=user, role=Role.OPERATOR)
                session = SessionStore()
                session[SESSION_KEY] = str(user.pk)
                session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
                session[HASH_SESSION_KEY] = user.get_session_auth_hash()
                session.create()
                sessions.append(session.session_key)
        out.append(Workspace(tenant.slug, tenant.widget_key, tenant.pk, sessions))
    return out


def seed_visitor_tokens(tenant_id: int, count: int) -> list[str]:
    """``count`` visitors of one workspace as the loader's beacon leaves them (a visitor, its
    token, a visit that has just started), in three bulk inserts; their raw tokens."""
    from django_scopes import scope

    from apps.core.crypto import hash_token
    from apps.tenants.models import Tenant
    from apps.visitors.models import Visitor, VisitorSession, VisitorToken
    from apps.visitors.services import new_visitor_token

    tenant = Tenant.objects.get(pk=tenant_id)
    tokens = [new_visitor_token() for _ in range(count)]
    with scope(tenant=tenant):
        visitors = Visitor.objects.bulk_create(
            [Visitor(tenant=tenant) for _ in range(count)], batch_size=1000
        )
        VisitorToken.objects.bulk_create(
            [
                VisitorToken(tenant=tenant, visitor=v, token_hash=hash_token(t))
                for v, t in zip(visitors, tokens, strict=True)
            ],
            batch_size=1000,
        )
        VisitorSession.objects.bulk_create(
            [
                VisitorSession(tenant=tenant, visitor=v, browser="Chrome 131", os="Linux")
                for v in visitors
            ],
            batch_size=1000,
        )
    return tokens
