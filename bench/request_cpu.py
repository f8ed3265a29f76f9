"""CPU time per request in one process, without a server or the network: `GET /api/v1/me`
and a KPI poll answered 304 as an API client, and `GET /healthz` (no token, no database) as
the control. Through `TestClient`, whose own cost is in every figure alike: compare a figure
with the control's, and runs of the same machine and load.

    .venv/bin/python bench/request_cpu.py          # --requests N (500)

A throwaway SQLite database in a temporary folder; best of three runs of N requests each.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="pmo-request-cpu-")
    os.environ.update(
        {
            "PMO_DATABASE_URL": f"sqlite:///{folder}/bench.db",
            "PMO_SECRET_KEY": "bench-" + "k" * 40,
            "PMO_LOG_LEVEL": "WARNING",
            "PMO_ACCESS_TOKEN_MINUTES": "60",
            "PMO_CLIENT_REQUESTS_PER_MINUTE": "100000000",
        }
    )
    sys.path.insert(0, str(ROOT))
    from bench.kpi_feed import FEED_PATH, prepare
    from fastapi.testclient import TestClient

    from pmo.main import create_app

    _, token = prepare()
    auth = {"Authorization": f"Bearer {token}"}
    page = f"{FEED_PATH}?limit=100"
    with TestClient(create_app()) as client:
        etag = client.get(page, headers=auth).headers["ETag"]
        for name, path, headers in [
            ("GET /api/v1/me (API client)", "/api/v1/me", auth),
            ("KPI poll answered 304", page, {**auth, "If-None-Match": etag}),
            ("GET /healthz (control)", "/healthz", {}),
        ]:
            runs = []
            for _ in range(3):
                for _ in range(20):  # warm: the principal in memory, the statement caches
                    client.get(path, headers=headers)
                began = time.process_time()
                for _ in range(args.requests):
                    status = client.get(path, headers=headers).status_code
                runs.append((time.process_time() - began) / args.requests * 1e6)
            print(f"{name}: {status}, {min(runs):,.0f} µs CPU a request (best of 3)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
