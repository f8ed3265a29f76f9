"""What one crafted import file costs other councils: their waiting time while it is uploaded.

    .venv/bin/python bench/import_contention.py            # SQLite (the embedded default)
    .venv/bin/python bench/import_contention.py --postgresql URL --seconds 10

A fresh database and the product under uvicorn (1 worker). Council B's PMO reads and
writes (`GET /kpis`, `POST /kpis`) in a loop, first alone, then while council A's PMO
uploads a 4.9 KB XLSX whose only sheet declares the dimension `A1:XFD20000` and has a cell
in row 20,000, as a dry run, again and again. Prints B's requests, errors and latency
(p50, p99, max) in both phases, and the crafted uploads' statuses and times.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.kpi_feed import server

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def crafted_xlsx(dimension: str = "A1:XFD20000", last_row: int = 20_000) -> bytes:
    """A small workbook whose sheet declares a huge dimension, with one cell far down."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.create_sheet()
    workbook.remove(workbook.worksheets[0])
    sheet.title = "values"
    sheet.append(["kpi_code", "period_code", "actual"])
    sheet.append(["CS-01", "2023-24-Q1", 5])
    sheet.cell(row=last_row, column=1, value="CS-01")
    written = io.BytesIO()
    workbook.save(written)
    source = zipfile.ZipFile(io.BytesIO(written.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"'.encode(), data)
            archive.writestr(info, data)
    return out.getvalue()


def prepare() -> tuple[str, str]:
    """Migrate; two councils with a PMO each; their access tokens."""
    from sqlmodel import Session

    from pmo.core.config import get_settings
    from pmo.core.db import get_engine
    from pmo.core.permissions import Role
    from pmo.core.security import create_access_token, hash_password
    from pmo.migrations import upgrade
    from pmo.organisations import service as org_service
    from pmo.organisations.schemas import RoleAssignmentCreate, UserCreate

    engine = get_engine()
    upgrade(engine)
    tokens = []
    with Session(engine, expire_on_commit=False) as session:
        for name in ("A", "B"):
            organisation = org_service.create_organisation(session, f"Council {name} {uuid.uuid4().hex[:6]}")
            user = org_service.create_user(
                session,
                None,
                organisation.id,
                UserCreate(email=f"pmo-{name.lower()}@bench.test", display_name="PMO", password="x" * 12),
                password_hash=hash_password("x" * 12),
            )
            org_service.assign_role(
                session, None, organisation.id, RoleAssignmentCreate(user_id=user.id, role=Role.pmo)
            )
            token, _ = create_access_token(
                get_settings(),
                subject=user.id,
                subject_type="user",
                organisation_id=organisation.id,
                roles=[Role.pmo.value],
                scopes=[],
            )
            tokens.append(token)
        session.commit()
    return tokens[0], tokens[1]


def call(method: str, url: str, token: str, body: bytes | None = None, media: str = "") -> tuple[int, float]:
    headers = {"Authorization": f"Bearer {token}"} | ({"Content-Type": media} if media else {})
    request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - our own server
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        exc.read()
        status = exc.code
    return status, time.perf_counter() - started


def other_council(base: str, token: str, seconds: float) -> list[tuple[int, float]]:
    """Council B: a read and a write, again and again, for `seconds`."""
    results = []
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        results.append(call("GET", base + "/api/v1/kpis?limit=20", token))
        kpi = {
            "code": f"B-{uuid.uuid4().hex[:8]}",
            "name": "A KPI of council B",
            "unit": "number",
            "polarity": "higher_is_better",
            "frequency": "quarterly",
        }
        results.append(
            call("POST", base + "/api/v1/kpis", token, json.dumps(kpi).encode(), "application/json")
        )
    return results


def summary(results: list[tuple[int, float]]) -> dict[str, Any]:
    times = sorted(t for _, t in results)
    errors = sum(1 for status, _ in results if status >= 500)
    return {
        "requests": len(results),
        "errors_5xx": errors,
        "statuses": sorted({s for s, _ in results}),
        "p50_ms": round(statistics.median(times) * 1000, 1),
        "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))] * 1000, 1),
        "max_ms": round(times[-1] * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgresql", help="a PostgreSQL URL to use instead of a fresh SQLite file")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pmo-bench-contention-"))
    url = args.postgresql or f"sqlite:///{work / 'bench.db'}"
    env = {"PMO_DATABASE_URL": url, "PMO_SECRET_KEY": "bench-" + "k" * 40, "PMO_LOG_LEVEL": "WARNING"}
    os.environ.update(env)
    token_a, token_b = prepare()
    content = crafted_xlsx()
    with server(["--factory", "pmo.main:create_app"], env) as base:
        alone = other_council(base, token_b, args.seconds)
        uploads: list[tuple[int, float]] = []
        done = threading.Event()

        def upload_again_and_again() -> None:
            while not done.is_set():
                uploads.append(
                    call("POST", base + "/api/v1/kpi-imports?dry_run=true", token_a, content, XLSX)
                )

        uploader = threading.Thread(target=upload_again_and_again)
        uploader.start()
        time.sleep(0.2)  # the first upload is under way
        during = other_council(base, token_b, args.seconds)
        done.set()
        uploader.join()
    figures = {
        "database": "postgresql" if args.postgresql else "sqlite",
        "crafted_file_bytes": len(content),
        "other_council_alone": summary(alone),
        "other_council_during_uploads": summary(during),
        "crafted_uploads": {
            "count": len(uploads),
            "statuses": sorted({s for s, _ in uploads}),
            "max_ms": round(max(t for _, t in uploads) * 1000, 1),
            "median_ms": round(statistics.median(t for _, t in uploads) * 1000, 1),
        },
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
