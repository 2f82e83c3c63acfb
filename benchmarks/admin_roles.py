"""What checking roles costs an admin request (issue 14, item 6).

Usage: python benchmarks/admin_roles.py [--database-url URL] [--rounds 300]

Builds an app on a fresh SQLite file (or the given database; its tables are emptied after),
with an owner, a profile, an achievement and a credential, then times in-process:
- ``guard.check()`` for the credential page, with loading the admin (role lookup + the
  credential's profile),
- the whole ``GET /admin/credentials/<id>`` through the test client,
- ``POST /admin/credentials/<id>/revoke`` without its confirmation box (guard, audit staging,
  nothing changed).
Prints per-request wall and CPU milliseconds (p50/p95) and the load average.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _timed(function, rounds: int) -> tuple[list[float], list[float]]:
    walls, cpus = [], []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return walls, cpus


def _p(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    from issuer import create_app, db
    from tests.service_fixtures import (
        csrf_token,
        empty_tables,
        issue_credential,
        make_achievement,
        make_admin,
        make_profile,
        sign_in,
    )

    tmp = tempfile.mkdtemp(prefix="bench-roles-")
    url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    db.migrate(url)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "BASE_URL": "http://localhost:5000",
                      "KEYS_DIR": f"{tmp}/keys", "INSTANCE_PATH": f"{tmp}/instance",
                      "SECRET_KEY": "bench-" + os.urandom(8).hex()})
    try:
        make_admin(app)
        make_profile(app)
        credential = issue_credential(app, make_achievement(app))
        client = app.test_client()
        assert sign_in(client).status_code == 302
        page = f"/admin/credentials/{credential}"
        token = csrf_token(client, page)

        from flask_login import login_user

        from issuer.services import users
        from issuer.web.admin import auth, guard

        def check_alone():
            with app.test_request_context(page):
                session = db.get_session()
                user = users.admin_by_email(session, "admin@example.org")
                login_user(auth.SessionUser(user, "bench"))
                guard.check()

        results = {
            "guard.check() + user load": _timed(check_alone, args.rounds),
            "GET credential page": _timed(lambda: client.get(page), args.rounds),
            "POST revoke, unconfirmed": _timed(
                lambda: client.post(f"{page}/revoke", data={"csrf_token": token}), args.rounds),
        }
        load = os.getloadavg()
        print(f"python {platform.python_version()} on {platform.machine()}, "
              f"{os.cpu_count()} CPUs, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
              f"{args.rounds} rounds, {url.split(':')[0]}")
        print(f"{'':28}{'wall ms p50/p95':>18}{'cpu ms p50/p95':>18}{'cpu ms mean':>13}")
        for name, (walls, cpus) in results.items():
            print(f"{name:28}{_p(walls, .5):>8.2f} / {_p(walls, .95):<7.2f}"
                  f"{_p(cpus, .5):>8.2f} / {_p(cpus, .95):<7.2f}{statistics.mean(cpus):>10.2f}")
    finally:
        empty_tables(app)


if __name__ == "__main__":
    main()
