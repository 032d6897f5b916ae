"""`make bench`: how fast the portal is at 100,000 records, next to a peer on the same data.

Builds bench/out/bench.sqlite3 (the report + synthetic records) once, then prints:
1. in-process render time (median) and query count per page with caching off, and the query
   count of the same pages on a small database (the report plus a few hundred records);
2. requests/second and p99 latency through gunicorn (wrk, 16 connections), with a static file
   through the same server as the stack's limit, with the page cache on and then off;
3. a soak: 64 connections for 60 seconds over a mix of pages, cache on;
4. the same table pages from Datasette serving the same SQLite file, when `datasette` is
   installed in bench/out/peer (`make bench` installs it there).
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BIG = OUT / "bench.sqlite3"
SMALL = OUT / "small.sqlite3"
RECORDS = int(os.environ.get("BENCH_RECORDS", "100000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
SOAK_SECONDS = int(os.environ.get("BENCH_SOAK_SECONDS", "60"))
SOAK_CONNECTIONS = int(os.environ.get("BENCH_SOAK_CONNECTIONS", "64"))
PYTHON = sys.executable


def manage(database, *args):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def build(database, records):
    if not database.exists():
        manage(database, "migrate", "-v0")
        manage(database, "loadreports", "-v0")
        manage(database, "synthesize", "--records", str(records), "-v0")
    # A database kept from an earlier run gets the indexes of newer migrations.
    manage(database, "migrate", "-v0")
    # Planner statistics, as a production database would have them.
    import sqlite3

    with sqlite3.connect(database) as db:
        db.execute("ANALYZE")


def pages():
    """The pages measured, found in the big database so that every URL exists."""
    import sqlite3

    db = sqlite3.connect(BIG)
    zone = db.execute("select slug from reforms_zone where is_synthetic = 0 limit 1").fetchone()[0]
    school = db.execute("select slug from reforms_school where is_synthetic = 0").fetchone()[0]
    db.close()
    return {
        "home": "/",
        "list": "/schools/",
        "list filtered+sorted, deep": f"/initiatives/?kind=action&sort=-name&page=40&zone={zone}",
        "detail": f"/schools/{school}/",
        # 实验 is in a quarter of all names, 近视 in a handful of records.
        "search, common pair 实验": "/search/?q=%E5%AE%9E%E9%AA%8C",
        "search, rarer pair 近视": "/search/?q=%E8%BF%91%E8%A7%86",
        "timeline": "/milestones/",
    }


def in_process(database, urls, repeat=15):
    code = f"""
import os, statistics, time
os.environ["DJANGO_SETTINGS_MODULE"] = "nanan_portal.settings"
import django
django.setup()
from django.conf import settings
plain = "django.contrib.staticfiles.storage.StaticFilesStorage"
settings.STORAGES["staticfiles"] = {{"BACKEND": plain}}
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client()
for url in {list(urls)!r}:
    client.get(url)
    times = []
    for _ in range({repeat}):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    assert response.status_code == 200, (url, response.status_code)
    print(f"{{statistics.median(times):.1f}} {{len(queries)}}")
"""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "CACHE_URL": "dummy://",
        "DJANGO_ALLOWED_HOSTS": "testserver",
    }
    out = subprocess.run(
        [PYTHON, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.split("\n")
    return [tuple(line.split()) for line in out if line.strip()]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


def wrk(url, connections=CONNECTIONS, seconds=SECONDS, script=None):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    if script:
        command += ["-s", str(script)]
    result = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", result).group(1))
    p99 = re.search(r"99%\s+([\d.]+\w+)", result).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result)
    socket_errors = re.search(r"Socket errors: (.*)", result)
    problems = int(errors.group(1)) if errors else 0
    return rps, p99, problems, socket_errors.group(1) if socket_errors else ""


def serve(command, port, env):
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_for(port)
    return process


def stop(process):
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def report(name, result):
    rps, p99, problems, socket_errors = result
    print(f"{name:32} {rps:>9.0f} {p99:>9} {problems:>8} {socket_errors}")
    return result


def verdict(targets):
    """Print each target as met or not; the run fails when any is missed."""
    print("\n== Targets ==")
    for label, met in targets:
        print(f"{'met    ' if met else 'NOT MET'}  {label}")
    return all(met for _, met in targets)


def write_mix(path, paths):
    """A wrk script that sends each connection's requests through ``paths`` in turn."""
    quoted = ", ".join(f'"{p}"' for p in paths)
    path.write_text(
        f"local paths = {{{quoted}}}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #paths + 1\n"
        "  return wrk.format(nil, paths[i])\n"
        "end\n"
    )


@contextmanager
def gunicorn(cache_url):
    """The portal under gunicorn on the big database, as ``make serve`` runs it."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{BIG}",
        "CACHE_URL": cache_url,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }
    server = serve(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "nanan_portal.wsgi",
            "-c",
            "gunicorn.conf.py",
            "--access-logfile",
            "/dev/null",
        ],
        port,
        env,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(server)


def main():
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    OUT.mkdir(parents=True, exist_ok=True)
    build(BIG, RECORDS)
    build(SMALL, 350)
    urls = pages()

    print(f"\n== In process, caching off ({RECORDS:,} synthetic records + the report) ==")
    print(f"{'page':32} {'ms (median)':>12} {'queries':>8} {'queries at ~500':>16}")
    big = in_process(BIG, urls.values())
    small = in_process(SMALL, urls.values())
    for name, (ms, queries), (_, small_queries) in zip(urls, big, small, strict=True):
        print(f"{name:32} {ms:>12} {queries:>8} {small_queries:>16}")
    render_ms = {name: float(ms) for name, (ms, _) in zip(urls, big, strict=True)}
    targets = [
        (
            "the same number of queries per page at ~500 and at 100,000 records",
            all(b[1] == s[1] for b, s in zip(big, small, strict=True)),
        ),
        *(
            (f"{name}: {render_ms[name]} ms in process, at most 25", render_ms[name] <= 25)
            for name in urls
            if name == "list" or name == "detail" or name.startswith("search")
        ),
    ]

    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True)
    css = next((ROOT / "staticfiles" / "css").glob("site.*.css")).name
    cached = {"static CSS (the stack's limit)": f"/static/css/{css}", **urls}
    with gunicorn("locmem://") as base:
        print(
            f"\n== Through gunicorn, page cache on, {CONNECTIONS} connections, {SECONDS} s each =="
        )
        print(f"{'page':32} {'req/s':>9} {'p99':>9} {'errors':>8}")
        through_cache = {name: report(name, wrk(base + path)) for name, path in cached.items()}

        print(
            f"\n== Soak: {SOAK_CONNECTIONS} connections for {SOAK_SECONDS} s, "
            f"every page above in turn, cache on =="
        )
        mix = OUT / "mix.lua"
        write_mix(mix, cached.values())
        soak = report(
            "mix of pages",
            wrk(base + "/", connections=SOAK_CONNECTIONS, seconds=SOAK_SECONDS, script=mix),
        )

    with gunicorn("dummy://") as base:
        print(f"\n== Through gunicorn, page cache off, {CONNECTIONS} connections ==")
        uncached = {
            name: report(name, wrk(base + urls[name]))
            for name in ("list", "list filtered+sorted, deep", "detail", "search, rarer pair 近视")
        }

    static_rps = through_cache["static CSS (the stack's limit)"][0]
    list_rps = through_cache["list"][0]
    targets += [
        (
            f"cached list {list_rps:.0f} req/s, at least half the static file's {static_rps:.0f}",
            list_rps >= static_rps / 2,
        ),
        (
            "no error through gunicorn, soak included",
            not any(
                result[2] or result[3]
                for result in [*through_cache.values(), soak, *uncached.values()]
            ),
        ),
    ]
    peer = OUT / "peer" / "bin" / "datasette"
    if not peer.exists():
        print("\n(Datasette not installed in bench/out/peer: peer rows skipped.)")
        sys.exit(0 if verdict(targets) else 1)
    port = free_port()
    server = serve(
        [
            str(peer),
            "serve",
            "-i",
            str(BIG),
            "--port",
            str(port),
            "--setting",
            "suggest_facets",
            "off",
        ],
        port,
        os.environ,
    )
    try:
        print(f"\n== Datasette on the same file, {CONNECTIONS} connections ==")
        peer_rps = max(
            report(name, wrk(f"http://127.0.0.1:{port}{path}"))[0]
            for name, path in {
                "table page (schools)": "/bench/reforms_school",
                "table page, sorted": "/bench/reforms_school?_sort_desc=sort_key",
            }.items()
        )
    finally:
        stop(server)
    uncached_rps = uncached["list"][0]
    targets += [
        (
            f"list {list_rps:.0f} req/s cached and {uncached_rps:.0f} uncached, "
            f"each at least the peer's {peer_rps:.0f}",
            min(list_rps, uncached_rps) >= peer_rps,
        )
    ]
    sys.exit(0 if verdict(targets) else 1)


if __name__ == "__main__":
    main()
