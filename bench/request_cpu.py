"""CPU time per request in one process, without a server or the network: the four requests of
issue 16's ratio aims (a KPI poll answered 304, a 100-value KPI page, `GET /api/v1/me` as an
API client, `GET /healthz`), each beside `bench/bare_app.py` answering the same bytes.

The requests are raw ASGI calls on one event loop, inside the app's lifespan, as uvicorn makes
them (a `TestClient` costs about 2 ms a request of its own, more than most of these requests).
CPU time is the whole process's (`time.process_time`), so thread-pool work counts. The
server's own cost (HTTP parsing, sockets) is in neither figure: over the network the ratios
are higher.

    .venv/bin/python bench/request_cpu.py          # --requests N (500), --profile NAME, --json FILE

A throwaway SQLite database in a temporary folder, 100 KPIs x 10 months of published values;
best of three runs of N requests each. `--postgresql URL` measures on a PostgreSQL database
instead (an empty one: the bench migrates it). `--profile me|poll|page|healthz` prints
cProfile's 30 most costly functions (by cumulative time) for that request.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

Call = tuple[str, str, dict[str, str]]  # path, query, headers


def scope_of(path: str, query: str, headers: dict[str, str]) -> dict[str, Any]:
    """An ASGI HTTP scope as uvicorn gives one."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode("latin-1")) for k, v in headers.items()]
        + [(b"host", b"127.0.0.1:8000")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def call(app: Any, path: str, query: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """One request; (status, headers, body)."""
    sent: dict[str, Any] = {"body": b""}
    requested = False
    never = asyncio.Event()

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await never.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            sent["status"] = message["status"]
            sent["headers"] = {k.decode(): v.decode("latin-1") for k, v in message.get("headers", [])}
        else:
            sent["body"] += message.get("body", b"")

    await app(scope_of(path, query, headers), receive, send)
    return sent["status"], sent["headers"], sent["body"]


@contextlib.asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """The app's lifespan around the requests, as uvicorn runs it around a worker's: what the
    app does once a process (the KPI feed's connection of the loop's own, the collector's
    settings) is in place while they are measured."""
    messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    started, finished = asyncio.Event(), asyncio.Event()

    async def send(message: dict[str, Any]) -> None:
        if message["type"].endswith(".failed"):
            raise RuntimeError(message.get("message", message["type"]))
        (started if message["type"] == "lifespan.startup.complete" else finished).set()

    await messages.put({"type": "lifespan.startup"})
    task = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, messages.get, send)
    )
    await started.wait()
    try:
        yield
    finally:
        await messages.put({"type": "lifespan.shutdown"})
        await finished.wait()
        await task


async def cpu_per_request(app: Any, request: Call, expected: int, count: int) -> float:
    """µs of CPU a request, best of three runs of `count` after a warm-up."""
    runs = []
    for _ in range(3):
        for _ in range(20):  # warm: principals in memory, statement caches, shares of the limit
            await call(app, *request)
        began = time.process_time()
        for _ in range(count):
            status, _, body = await call(app, *request)
            if status != expected:
                raise RuntimeError(f"{request[0]}: {status} {body[:300]!r}")
        runs.append((time.process_time() - began) / count * 1e6)
    return min(runs)


def bare_app_for(status: int, headers: dict[str, str], body: bytes) -> Any:
    """`bench/bare_app.py` serving this answer (it reads the answer when imported)."""
    kept = {
        k: v for k, v in headers.items() if k in ("etag", "last-modified", "link", "cache-control", "vary")
    }
    saved = Path(tempfile.mkdtemp(prefix="pmo-bare-")) / "response.json"
    saved.write_text(
        json.dumps({"body": body.decode(), "headers": kept, "media_type": headers["content-type"]})
    )
    if status != 200:
        raise RuntimeError(f"{status} {body[:300]!r}")
    os.environ["BENCH_RESPONSE"] = str(saved)
    sys.modules.pop("bench.bare_app", None)
    from bench import bare_app

    return bare_app.app


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--postgresql", metavar="URL")
    parser.add_argument("--profile", choices=["me", "poll", "page", "healthz"])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="pmo-request-cpu-")
    os.environ.update(
        {
            "PMO_DATABASE_URL": args.postgresql or f"sqlite:///{folder}/bench.db",
            "PMO_SECRET_KEY": "bench-" + "k" * 40,
            "PMO_LOG_LEVEL": "WARNING",
            "PMO_ACCESS_TOKEN_MINUTES": "60",
            "PMO_CLIENT_REQUESTS_PER_MINUTE": "100000000",
        }
    )
    sys.path.insert(0, str(ROOT))
    from bench.kpi_feed import FEED_PATH, analyse, definitions_csv, import_file, prepare, values_csv

    from pmo.main import create_app

    organisation_id, token = prepare()
    import_file(organisation_id, definitions_csv(100))
    import_file(organisation_id, values_csv(100, 10))
    analyse()
    auth = {"Authorization": f"Bearer {token}"}
    app = create_app()

    async def run() -> dict[str, dict[str, float]]:
        _, page_headers, _ = await call(app, FEED_PATH, "limit=100", auth)
        tag = {"If-None-Match": page_headers["etag"]}
        requests: dict[str, tuple[str, Call, int]] = {
            "poll": ("KPI poll answered 304", (FEED_PATH, "limit=100", auth | tag), 304),
            "page": ("KPI page of 100 values", (FEED_PATH, "limit=100", auth), 200),
            "me": ("GET /api/v1/me (API client)", ("/api/v1/me", "", auth), 200),
            "healthz": ("GET /healthz", ("/healthz", "", {}), 200),
        }
        if args.profile:
            _, request, expected = requests[args.profile]
            await cpu_per_request(app, request, expected, 20)
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.requests):
                await call(app, *request)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
            return {}
        figures: dict[str, dict[str, float]] = {}
        for key, (name, request, expected) in requests.items():
            product = await cpu_per_request(app, request, expected, args.requests)
            # The bare app answers the product's own 200 (and 304 to its tag).
            bare = bare_app_for(*await call(app, request[0], request[1], auth if key != "healthz" else {}))
            bare_figure = await cpu_per_request(bare, request, expected, args.requests)
            figures[key] = {"product_us": product, "bare_us": bare_figure}
            print(
                f"{name}: {product:,.0f} µs CPU a request; bare app {bare_figure:,.0f} µs; "
                f"bare/product {bare_figure / product:.2f}",
                flush=True,
            )
        return figures

    async def in_the_lifespan() -> dict[str, dict[str, float]]:
        async with lifespan(app):
            return await run()

    figures = asyncio.run(in_the_lifespan())
    load = os.getloadavg()
    print(f"load average (1/5/15 min): {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
    if args.json:
        args.json.write_text(json.dumps({"figures": figures, "load": load}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
