"""`make profile`: where the time of each measured page goes, at the bench's record count.

Renders each page of `make bench` in process with caching off, as its in-process table does,
after one warm-up request, and prints the top of a pyinstrument sampling profile over
BENCH_PROFILE_REPEAT requests: the call tree down to the calls that take a visible share, then
the functions that spend the most time themselves. BENCH_PROFILE_PAGES narrows it to the pages
whose names contain one of its comma-separated words.
"""

import gc
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402

REPEAT = int(os.environ.get("BENCH_PROFILE_REPEAT", "20"))
TREE_LINES = int(os.environ.get("BENCH_PROFILE_LINES", "45"))
FLAT_LINES = 15
WANTED = [word for word in os.environ.get("BENCH_PROFILE_PAGES", "").split(",") if word]


def body(text):
    """The profile's lines after pyinstrument's banner, which repeats what the heading says."""
    lines = text.splitlines()
    start = next((i + 1 for i, line in enumerate(lines) if line.startswith("Profile at")), 0)
    return lines[start:]


def main():
    run.OUT.mkdir(parents=True, exist_ok=True)
    run.build(run.BIG, run.RECORDS)
    urls = {
        name: url
        for name, url in run.pages().items()
        if not WANTED or any(word in name for word in WANTED)
    }
    os.environ.update(
        DJANGO_SETTINGS_MODULE="nanan_portal.settings",
        DATABASE_URL=run.sqlite_url(run.BIG),
        CACHE_URL="dummy://",
        DJANGO_ALLOWED_HOSTS="testserver",
    )
    os.chdir(run.ROOT)
    sys.path.insert(0, str(run.ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from pyinstrument import Profiler

    # The in-process pages need no collected static files, as in the bench's table.
    plain = "django.contrib.staticfiles.storage.StaticFilesStorage"
    settings.STORAGES["staticfiles"] = {"BACKEND": plain}
    # A sampling profiler charges a garbage collection to whatever line allocated when it
    # began, often a trivial one; the collector's own total is printed beside each profile.
    collecting = {"since": 0.0, "total": 0.0, "runs": 0}

    def collector(phase, info):
        if phase == "start":
            collecting["since"] = time.perf_counter()
        else:
            collecting["total"] += time.perf_counter() - collecting["since"]
            collecting["runs"] += 1

    gc.callbacks.append(collector)
    client = Client()
    for name, url in urls.items():
        assert client.get(url).status_code == 200, url
        collecting.update(total=0.0, runs=0)
        profiler = Profiler()
        profiler.start()
        for _ in range(REPEAT):
            client.get(url)
        profiler.stop()
        session = profiler.last_session
        print(f"\n{'=' * 100}\n{name}: {url}")
        print(
            f"{REPEAT} requests, {session.duration / REPEAT * 1000:.1f} ms each under the profiler "
            f"({run.RECORDS:,} synthetic records, caching off), of which garbage collection "
            f"{collecting['total'] / REPEAT * 1000:.1f} ms ({collecting['runs']} runs in all); "
            "shares of the total below"
        )
        # Calls below 2% of the page's time are folded away, so the tree's top is readable.
        options = {"filter_threshold": 0.02}
        tree = body(
            profiler.output_text(unicode=True, time="percent_of_total", processor_options=options)
        )
        print("\n".join(line for line in tree[:TREE_LINES] if line.strip()))
        if len(tree) > TREE_LINES:
            print(f"  … {len(tree) - TREE_LINES} more lines (BENCH_PROFILE_LINES)")
        flat = body(profiler.output_text(unicode=True, time="percent_of_total", flat=True))
        print("\nSelf time, the top functions:")
        print("\n".join([line for line in flat if line.strip()][:FLAT_LINES]))


if __name__ == "__main__":
    main()
