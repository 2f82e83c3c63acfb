"""What the dashboard costs: one counted page view (the per-day UPSERT) and each of the
dashboard's aggregates and credential-list queries over many credentials.

Usage: python benchmarks/dashboard.py [--credentials 100000] [--database-url URL] [--views 2000]

URL: a PostgreSQL URL (a fresh schema is made and dropped; default
ISSUER_BENCH_DATABASE_URL or postgresql+psycopg://postgres@127.0.0.1:5432/test) or
``sqlite`` (a temporary file). Credential rows are inserted in bulk with a placeholder
document (signing is measured elsewhere: sign_verify.py); the queries only read their
columns. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from api_issue import DEFAULT_DB, drop_schema, machine_line, postgres_schema  # noqa: E402


def _timed(function, repeat: int = 5) -> float:
    """Median wall-clock milliseconds of ``repeat`` calls."""
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


def _populate(session, engine, *, credentials: int, keys_dir: str) -> list[str]:
    from sqlalchemy import insert

    from issuer.clock import utc_now
    from issuer.models import CredentialActivity, IssuedCredential, Recipient
    from issuer.services import achievements, profiles
    from issuer.services.keystore import FileKeyStore
    from issuer.services.tx import atomic

    now = utc_now()
    with atomic(session):
        profile = profiles.create_profile(
            session, slug="main", fields=profiles.ProfileFields(name="Bench"),
            keystore=FileKeyStore(keys_dir), base_url="https://badges.example.org", now=now)
        badge_ids = [achievements.create_achievement(
            session, profile=profile, fields=achievements.AchievementFields(
                name=f"Badge {n}", description="d", criteria_narrative="c"),
            image=None, now=now).id for n in range(20)]
    rng = random.Random(14)
    people = max(1, credentials // 2)
    with engine.begin() as connection:
        connection.execute(insert(Recipient), [
            {"email": f"p{n}@example.org", "name": f"Person {n}", "created_at": now}
            for n in range(people)])
    ids: list[str] = []
    paths = ["admin", "cli", "api", "bulk", "award", None]
    states = ["active"] * 18 + ["revoked", "suspended"]
    for start in range(0, credentials, 5000):
        batch = []
        for n in range(start, min(start + 5000, credentials)):
            issued = now - timedelta(days=rng.randrange(400), seconds=rng.randrange(86400))
            credential_id = str(uuid.uuid4())
            ids.append(credential_id)
            batch.append({
                "id": credential_id, "profile_id": profile.id,
                "achievement_id": badge_ids[rng.randrange(len(badge_ids))],
                "recipient_id": 1 + n % people, "recipient_name": f"Person {n % people}",
                "document": "{}", "verification_method": "bench", "valid_from": issued,
                "valid_until": issued + timedelta(days=365) if n % 3 == 0 else None,
                "issued_at": issued, "issued_via": rng.choice(paths),
                "status_state": rng.choice(states),
            })
        with engine.begin() as connection:
            connection.execute(insert(IssuedCredential), batch)
    with engine.begin() as connection:  # a view or two on a tenth of them, on 30 days
        connection.execute(insert(CredentialActivity), [
            {"credential_id": credential_id, "day": (now - timedelta(days=n % 30)).date(),
             "kind": ("view", "download", "claim", "linkedin_add")[n % 4], "count": 1 + n % 3}
            for n, credential_id in enumerate(ids[::10])])
    return ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--credentials", type=int, default=100_000)
    parser.add_argument("--views", type=int, default=2000)
    parser.add_argument("--database-url", default=os.environ.get("ISSUER_BENCH_DATABASE_URL",
                                                                 DEFAULT_DB))
    args = parser.parse_args()

    from issuer import db
    from issuer.clock import utc_now
    from issuer.services import activity, credential_query, dashboard
    from issuer.services.credential_query import CredentialFilter

    work = Path(tempfile.mkdtemp(prefix="issuer-dashboard-bench-"))
    schema = None
    if args.database_url == "sqlite":
        url, kind = f"sqlite:///{work / 'bench.sqlite3'}", "SQLite"
    else:
        url, plain, schema = postgres_schema(args.database_url)
        kind = "PostgreSQL"
    try:
        db.migrate(url)
        engine = db.make_engine(url)
        from sqlalchemy.orm import Session

        session = Session(engine, expire_on_commit=False)
        started = time.perf_counter()
        ids = _populate(session, engine, credentials=args.credentials,
                        keys_dir=str(work / "keys"))
        loaded = time.perf_counter() - started
        now = utc_now()
        rng = random.Random(1)
        view_ms = []
        for _ in range(args.views):
            credential_id = ids[rng.randrange(len(ids))]
            began = time.perf_counter()
            activity.record(engine, credential_id, activity.VIEW, now=now)
            view_ms.append((time.perf_counter() - began) * 1000)
        view_ms.sort()
        measures = {
            "totals per profile (2 GROUP BY)": lambda: dashboard.totals_by_profile(session,
                                                                                   now=now),
            "issuance by month (12)": lambda: dashboard.issuance_series(session, now=now),
            "issuance by day (30)": lambda: dashboard.issuance_series(session, now=now,
                                                                      granularity="day"),
            "top achievements": lambda: dashboard.top_achievements(session),
            "issuing paths": lambda: dashboard.by_path(session),
            "recent activity": lambda: dashboard.recent_activity(session),
            "views in 30 days": lambda: dashboard.daily_views(session, now=now),
            "list page 1 (newest, 50)": lambda: credential_query.list_credentials(
                session, CredentialFilter(), now=now),
            "list: status=expired, by recipient": lambda: credential_query.list_credentials(
                session, CredentialFilter(status="expired"), now=now, sort="recipient",
                descending=False),
            "list page 200 (offset 9950)": lambda: credential_query.list_credentials(
                session, CredentialFilter(), now=now, page=200),
            "list: text search 'person 12'": lambda: credential_query.list_credentials(
                session, CredentialFilter(text="person 12"), now=now),
        }
        print(machine_line())
        print(f"{kind}: {args.credentials} credentials, {len(ids[::10])} activity rows "
              f"(loaded in {loaded:.1f} s)")
        print(f"counted page view (UPSERT, own transaction), {args.views} calls: median "
              f"{statistics.median(view_ms):.2f} ms, p95 {view_ms[int(len(view_ms) * .95)]:.2f}"
              f" ms, max {view_ms[-1]:.2f} ms")
        print(f"{'query':40} median ms of 5")
        for name, function in measures.items():
            print(f"{name:40} {_timed(function):8.1f}")
        session.close()
        engine.dispose()
    finally:
        if schema is not None:
            drop_schema(plain, schema)
    return 0


if __name__ == "__main__":
    sys.exit(main())
