"""What one run of the periodic expiry-reminder scan costs over many credentials.

Usage: python benchmarks/reminder_scan.py [--credentials 100000] [--achievements 20]
                                          [--batch 200] [--database-url URL|sqlite]

Credentials are inserted in bulk with a placeholder document (the scan reads only columns),
a third with a validUntil in the next 400 days, over --achievements achievements of which
half have a 30-day reminder. Prints the cost of finding the due credentials (``due``), of one
bounded run (``scan``: --batch claims, each its own transaction with its outbox row), and of a
run with nothing left to claim, as wall time and CPU-seconds of this process (the database
server's CPU is not in it), with the load average. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api_issue import DEFAULT_DB, bench_database, machine_line  # noqa: E402


def _measure(label: str, function) -> object:
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    count = len(result) if isinstance(result, list) else result
    print(f"{label:<44} {wall * 1000:9.1f} ms wall {cpu * 1000:9.1f} ms CPU   ({count})")
    return result


def _populate(session, engine, *, credentials: int, achievements_count: int, keys_dir: str,
              now) -> None:
    from sqlalchemy import insert

    from issuer.models import Achievement, IssuedCredential, Recipient
    from issuer.services import achievements, profiles, reminders
    from issuer.services.keystore import FileKeyStore
    from issuer.services.tx import atomic

    with atomic(session):
        profile = profiles.create_profile(
            session, slug="main", fields=profiles.ProfileFields(name="Bench"),
            keystore=FileKeyStore(keys_dir), base_url="https://badges.example.org", now=now)
        badge_ids = [achievements.create_achievement(
            session, profile=profile, fields=achievements.AchievementFields(
                name=f"Badge {n}", description="d", criteria_narrative="c"),
            image=None, now=now).id for n in range(achievements_count)]
    with atomic(session):
        for badge_id in badge_ids[::2]:
            reminders.save_setting(session, session.get(Achievement, badge_id),
                                   reminders.Setting(30), now=now)
    rng = random.Random(19)
    people = max(1, credentials // 2)
    with engine.begin() as connection:
        connection.execute(insert(Recipient), [
            {"email": f"p{n}@example.org", "name": f"Person {n}", "created_at": now}
            for n in range(people)])
    for start in range(0, credentials, 5000):
        batch = []
        for n in range(start, min(start + 5000, credentials)):
            issued = now - timedelta(days=rng.randrange(400))
            batch.append({
                "id": str(uuid.uuid4()), "profile_id": profile.id,
                "achievement_id": badge_ids[rng.randrange(len(badge_ids))],
                "recipient_id": 1 + n % people, "recipient_name": None, "document": "{}",
                "verification_method": "bench", "valid_from": issued, "issued_at": issued,
                "valid_until": now + timedelta(days=rng.randrange(1, 400)) if n % 3 == 0
                else None,
                "status_state": "active" if n % 10 else "revoked",
            })
        with engine.begin() as connection:
            connection.execute(insert(IssuedCredential), batch)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--credentials", type=int, default=100_000)
    parser.add_argument("--achievements", type=int, default=20)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--database-url", default=os.environ.get("ISSUER_BENCH_DATABASE_URL",
                                                                 DEFAULT_DB))
    args = parser.parse_args()

    from sqlalchemy.orm import Session

    from issuer import db
    from issuer.clock import utc_now
    from issuer.services import reminders

    work = Path(tempfile.mkdtemp(prefix="issuer-reminder-bench-"))
    with bench_database(args.database_url, work) as (url, kind):
        engine = db.make_engine(url)
        session = Session(engine, expire_on_commit=False)
        now = utc_now()
        _populate(session, engine, credentials=args.credentials,
                  achievements_count=args.achievements, keys_dir=str(work / "keys"), now=now)
        print(machine_line())
        print(f"{kind}: {args.credentials} credentials, {args.achievements} achievements "
              f"({(args.achievements + 1) // 2} with a 30-day reminder), batch {args.batch}, "
              f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        _measure("due (find up to one batch)",
                 lambda: reminders.due(session, now=now, limit=args.batch))
        session.rollback()
        runs = 0
        while True:
            claimed = _measure(f"scan run {runs + 1} (claim + outbox row each)",
                               lambda: reminders.scan(session, now=now, limit=args.batch))
            runs += 1
            if not claimed or runs >= 20:
                break
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        session.close()
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
