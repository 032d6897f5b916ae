"""Save every kind of public page, in both languages, to compare the site's output across a change.

    python bench/crawl.py OUT_DIR          # crawl the database named by DATABASE_URL
    python bench/crawl.py --compare A B    # the pages that differ between two crawls

Build the database first, for example:

    export DATABASE_URL=sqlite:////tmp/house.sqlite3 CACHE_URL=dummy://
    python manage.py migrate -v0 && python manage.py loadreports -v0
    python manage.py synthesize --records 300 --seed 1 -v0

The crawl starts from the home page, a search for each kind of query, the open data page and the
error pages, and follows the site's own links. A site of hundreds of records has thousands of
pages that differ only in which record they show, so a few pages of each shape are kept: the same
language, path with its record slug left out, and query parameter names. The order of the crawl is
fixed, so two crawls of the same output visit the same pages.

Static files are served under their plain names, and the build id is fixed, so two crawls of the
same code compare byte for byte, but for the time of writing inside a spreadsheet download.
"""

import io
import os
import re
import sys
import zipfile
from collections import deque
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PAGES_PER_SHAPE = 3
SEEDS = [
    "/",
    "/search/?q=%E5%AD%A6%E6%A0%A1",  # one word: 学校
    "/search/?q=%E6%95%99%E8%82%B2+%E6%94%B9%E9%9D%A9",  # two words: 教育 改革
    "/search/?q=shanhu",  # pinyin
    "/search/?q=ttg",  # initials
    "/search/?q=",
    "/data/",
    "/data/nanan-education-reform.json",
    "/data/nanan-education-reform-csv.zip",
    "/zones/?page=99",
    "/initiatives/?kind=action&sort=-name&page=2",
    "/schools/?q=%E5%B0%8F%E5%AD%A6&sort=name",
    "/no-such-page/",
    "/zones/no-such-zone/",
]


def shape(url):
    parts = urlsplit(url)
    segments = [segment for segment in parts.path.split("/") if segment]
    language = "en" if segments[:1] == ["en"] else "zh"
    segments = segments[1:] if language == "en" else segments
    keys = tuple(sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)}))
    return (language, tuple(segments[:1]), len(segments), keys)


def links(path, body):
    for href in re.findall(rb'href="([/?][^"#]*)', body):
        url = href.decode().replace("&amp;", "&")
        if url.startswith("?"):
            url = path + url
        if not url.startswith(("/static/", "/admin/", "/favicon")):
            yield url


def crawl(out):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nanan_portal.settings")
    os.environ["DJANGO_BUILD_ID"] = "crawl"
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.ALLOWED_HOSTS = ["testserver"]
    from django.test import Client

    from reforms import views

    client = Client(raise_request_exception=False)
    out.mkdir(parents=True, exist_ok=True)
    queue = deque(SEEDS + ["/en" + seed for seed in SEEDS])
    seen = set(queue)
    kept = {}
    while queue:
        url = queue.popleft()
        response = client.get(url)
        body = response.content if not response.streaming else b"".join(response)
        name = quote(url, safe="")[:200]
        head = f"{response.status_code} {response.get('Content-Type', '')}\n".encode()
        (out / name).write_bytes(head + body)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        for link in links(urlsplit(url).path, body):
            if link in seen:
                continue
            seen.add(link)
            key = shape(link)
            if kept.get(key, 0) < PAGES_PER_SHAPE:
                kept[key] = kept.get(key, 0) + 1
                queue.append(link)
    # A 500 page is not reached by a link.
    from django.test import RequestFactory
    from django.utils import translation

    for language in ("zh-hans", "en"):
        with translation.override(language):
            response = views.server_error(RequestFactory().get("/"))
        (out / f"500-{language}").write_bytes(response.content)
    print(f"{len(list(out.iterdir()))} pages in {out}")


def content(path):
    """A saved page, with a spreadsheet's time of writing left out: openpyxl stamps each file
    with the time it was made, so two downloads of the same sheet never match byte for byte."""
    if not path.exists():
        return None
    saved = path.read_bytes()
    head, _, body = saved.partition(b"\n")
    if not head.endswith(b"spreadsheetml.sheet"):
        return saved
    with zipfile.ZipFile(io.BytesIO(body)) as sheet:
        members = [(name, sheet.read(name)) for name in sheet.namelist()]
    stamp = rb"(<dcterms:(created|modified)[^>]*>)[^<]*"
    return head, [(name, re.sub(stamp, rb"\1", data)) for name, data in members]


def compare(before, after):
    names = sorted({path.name for folder in (before, after) for path in folder.iterdir()})
    differ = [name for name in names if content(before / name) != content(after / name)]
    for name in differ:
        print("differs:", name)
    print(f"{len(names)} pages, {len(differ)} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--compare"]:
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
    crawl(Path(sys.argv[1]))
