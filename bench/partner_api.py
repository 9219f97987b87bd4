"""Benchmark: the partner API's list at 100,000 and 1,000,000 applications, against a floor.

    .venv/bin/python bench/partner_api.py          (or `make bench`)

Each size runs in its own process on its own database, seeded once by bench/seed.py
(BENCH_PARTNER_SIZES picks the sizes, e.g. `100000`). A run walks pages of 100 from the
middle of Tel Aviv Global's feed (the cursor deep in the data, not page 1), following each
page's cursor, through the whole Django stack in-process (a WSGI call with every
middleware, the Api-Key authentication, the throttle in Redis, the connection pool). The
floor walks the same pages in the same run with the same six statements as the view (the
key, the feed rows with their joins, the answers, their questions, the history, the
ledger's upsert) over psycopg and writes the same JSON with orjson, no Django; the harness
checks the two bodies are equal and that both sent as many statements.
Rounds alternate between the two; the medians are reported. Also measured: the public
programme list (/api/v1/programmes/), when it exists.

Fails (exit 1) if a target is missed: Django at least 0.45 times the floor's pages/s; the time
per page at the largest size at most 1.2 times the smallest's; the same number of queries per
page at every size; no COUNT( in them. EXPLAIN ANALYZE of the page's queries is printed
for the largest size.
"""

import base64
import datetime
import hashlib
import hmac
import io
import json
import os
import statistics
import subprocess
import sys
import time
import zlib
from pathlib import Path
from urllib.parse import quote, quote_plus

import orjson
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SIZES = [int(n) for n in os.environ.get("BENCH_PARTNER_SIZES", "100000,1000000").split(",")]
PAGES = int(os.environ.get("BENCH_PARTNER_PAGES", "20"))  # pages per timed walk
ROUNDS = int(os.environ.get("BENCH_PARTNER_ROUNDS", "5"))
ORGANISATION = "tel-aviv-global"
HOST = "127.0.0.1"
LIST = "/api/v1/partner/applications/"
PROGRAMMES = "/api/v1/programmes/"
TARGET_RATIO = 0.45  # Django's pages/s over the floor's, at least
TARGET_GROWTH = 1.2  # time per page at the largest size over the smallest, at most


def database(size: int) -> str:
    return f"bench_{size // 1_000_000}m" if size % 1_000_000 == 0 else f"bench_{size // 1000}k"


# The parent: one process per size, then the table and the targets.


def main() -> None:
    results = []
    for size in SIZES:
        print(f"== {size:,} applications ({database(size)})", flush=True)
        child = subprocess.run(
            [sys.executable, __file__, "--measure", database(size), str(size)],
            stdout=subprocess.PIPE,
            text=True,
            check=False,
        )
        lines = child.stdout.splitlines()
        print("\n".join(lines[:-1]))
        if child.returncode != 0 or not lines:
            sys.exit(f"the measurement at {size} failed")
        results.append(json.loads(lines[-1]))
    sys.exit(0 if report(results) else 1)


def report(results: list[dict]) -> bool:
    print()
    print(
        f"{'applications':>13} {'seeded':>8} {'django p/s':>11} {'floor p/s':>10} {'ratio':>6} "
        f"{'django ms':>10} {'floor ms':>9} {'queries':>8} {'programmes ms':>14}"
    )
    for r in results:
        seeded = f"{r['seed_seconds']:.0f} s" if r["seed_seconds"] else "reused"
        programmes = f"{r['programmes_ms']:.2f}" if r["programmes_ms"] is not None else "absent"
        print(
            f"{r['applications']:>13,} {seeded:>8} {r['django_pps']:>11.1f} "
            f"{r['floor_pps']:>10.1f} {r['ratio']:>6.2f} {r['django_ms']:>10.2f} "
            f"{r['floor_ms']:>9.2f} {r['queries']:>8} {programmes:>14}"
        )
    checks = []
    for r in results:
        checks.append(
            (
                f"{r['applications']:,}: Django/floor {r['ratio']:.2f} >= {TARGET_RATIO}",
                r["ratio"] >= TARGET_RATIO,
            )
        )
        checks.append((f"{r['applications']:,}: no COUNT( in the page's queries", not r["counts"]))
        checks.extend((f"{r['applications']:,}: {scan}", False) for scan in r["seq_scans"])
    if len(results) > 1:
        small, large = results[0], results[-1]
        growth = large["django_ms"] / small["django_ms"]
        sizes = f"{large['applications']:,} / {small['applications']:,}"
        checks.append(
            (f"time per page {sizes}: {growth:.2f} <= {TARGET_GROWTH}", growth <= TARGET_GROWTH)
        )
        floor_growth = large["floor_ms"] / small["floor_ms"]
        print(f"(the floor's own growth: {floor_growth:.2f})")
        queries = {r["queries"] for r in results}
        checks.append(
            (f"queries per page the same at every size: {sorted(queries)}", len(queries) == 1)
        )
    print()
    for text, ok in checks:
        print(f"{'ok  ' if ok else 'MISS'} {text}")
    return all(ok for _, ok in checks)


# The child: seed, warm up, measure both, check they agree.


def measure(name: str, size: int) -> dict:
    os.environ.update(
        DJANGO_ENV="test",
        DATABASE_POOL="true",  # as in production: Django's bounded pool
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"),
        REDIS_BROKER_DB="4",
        REDIS_CACHE_DB="5",
        API_PUBLIC_RATE="10000000/minute",  # the throttle runs, never refuses
        API_PARTNER_RATE="10000000/minute",
    )
    from bench import seed

    seeded = seed.seed(name, size)
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from exchanges.partners.api import cursor

    wsgi = get_wsgi_application()
    key = seeded.keys[ORGANISATION]
    organisation = seeded.organisations[ORGANISATION]
    with connection.cursor() as c:
        # Deep in the feed: the middle change position (the index's last entry, no count).
        c.execute(
            "SELECT MAX(position) FROM partners_applicationshare WHERE organisation_id = %s",
            [organisation],
        )
        start = cursor.encode(c.fetchone()[0] // 2, 0)

    def django_page(token: str) -> bytes:
        status, body = call(wsgi, LIST, f"cursor={token}", key)
        if status != "200 OK":
            raise RuntimeError(f"{status}: {body[:300]!r}")
        return body

    floor = Floor(
        seeded.url,
        key,
        settings.SECRET_KEY,
        f"http://{HOST}",
        link_seconds=settings.PARTNER_PITCH_DECK_LINK_SECONDS,
        codec=cursor,
    )

    def walk(page, pages: int) -> float:
        token = start
        began = time.perf_counter()
        for _ in range(pages):
            token = orjson.loads(page(token))["cursor"]
        return time.perf_counter() - began

    truncate = "TRUNCATE partners_dataaccess"  # so that each walk writes the same rows
    walk(django_page, 10)
    walk(floor.page, 10)
    with CaptureQueriesContext(connection) as captured:
        body = django_page(start)
    same = comparable(body) == comparable(floor.page(start))
    if not same:
        raise RuntimeError("the floor's page differs from Django's")
    if floor.statements != len(captured.captured_queries):
        raise RuntimeError(
            f"the floor sent {floor.statements} statements, Django {len(captured.captured_queries)}"
        )
    django_times, floor_times = [], []
    for _ in range(ROUNDS):
        floor.conn.execute(truncate)
        django_times.append(walk(django_page, PAGES))
        floor.conn.execute(truncate)
        floor_times.append(walk(floor.page, PAGES))
    with CaptureQueriesContext(connection) as captured:
        django_page(start)
    statements = [q["sql"] for q in captured.captured_queries]
    counts = [s for s in statements if "COUNT(" in s.upper()]
    scans = explain(seeded.url, statements) if size == max(SIZES) else []
    django_s = statistics.median(django_times) / PAGES
    floor_s = statistics.median(floor_times) / PAGES
    print(
        f"walks of {PAGES} pages, {ROUNDS} rounds; Django s/walk: "
        + ", ".join(f"{t:.2f}" for t in django_times)
        + "; floor: "
        + ", ".join(f"{t:.2f}" for t in floor_times)
    )
    return {
        "applications": size,
        "seed_seconds": seeded.seconds,
        "django_pps": 1 / django_s,
        "floor_pps": 1 / floor_s,
        "ratio": floor_s / django_s,
        "django_ms": django_s * 1000,
        "floor_ms": floor_s * 1000,
        "queries": len(statements),
        "counts": counts,
        "seq_scans": scans,
        "programmes_ms": programmes(wsgi),
    }


def call(wsgi, path: str, query: str, key: str | None = None) -> tuple[str, bytes]:
    """One GET through the WSGI application, as a server would make it."""
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": HOST,
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": HOST,
        "REMOTE_ADDR": HOST,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    if key:
        environ["HTTP_AUTHORIZATION"] = f"Api-Key {key}"
    started = []
    chunks = wsgi(environ, lambda status, headers, exc_info=None: started.append(status))
    body = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()  # request_finished: the connection goes back to the pool
    return started[0], body


def comparable(body: bytes) -> dict:
    """The page without the pitch-deck links' signatures (they hold the second they were made)."""
    page = orjson.loads(body)
    for item in page["results"]:
        if item.get("pitch_deck"):
            item["pitch_deck"]["url"] = item["pitch_deck"]["url"].split("%3A")[0]
    return page


def programmes(wsgi, requests: int = 200) -> float | None:
    """Median ms of the public programme list, or None while the endpoint does not exist."""
    status, _ = call(wsgi, PROGRAMMES, "")
    if status.startswith("404"):
        return None
    if status != "200 OK":
        raise RuntimeError(f"{PROGRAMMES}: {status}")
    times = []
    for _ in range(5):
        began = time.perf_counter()
        for _ in range(requests // 5):
            call(wsgi, PROGRAMMES, "")
        times.append((time.perf_counter() - began) / (requests // 5))
    return statistics.median(times) * 1000


def explain(url: str, statements: list[str]) -> list[str]:
    """Print EXPLAIN ANALYZE of the page's statements (the upsert is rolled back); return the
    sequential scans of tables that grow with the applications."""
    growing = ("partners_", "exchanges_application", "exchanges_answer", "startups_")
    scans = []
    with psycopg.connect(url) as conn:
        for sql in statements:
            plan = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}").fetchall()
            print(f"-- {' '.join(sql.split())[:100]}…")
            for (line,) in plan:
                print(f"   {line[:150]}")
                if "Seq Scan on " in line and line.split("Seq Scan on ")[1].startswith(growing):
                    scans.append(line.strip())
        conn.rollback()
    return scans


# The floor: the same statements and the same JSON, with psycopg and orjson only. The
# statements are the view's (exchanges/partners/api/views.py, pages.py, auth.py, ledger.py)
# as CaptureQueriesContext shows them; the JSON is the one pages.Page builds.

LANGUAGES = ["en", "de", "fr", "he", "zh-hans", "pl", "ar"]  # MODELTRANSLATION_LANGUAGES
FALLBACK_LANGUAGE = "en"
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
LAST_USE_INTERVAL = datetime.timedelta(minutes=1)  # auth.LAST_USE_INTERVAL
URL_SAFE = "/~:@!$&'()*+,;="  # what reverse() leaves unquoted in a path


def _select(table: str, columns: list[str]) -> str:
    return ", ".join(f'"{table}"."{c}" AS "{c}"' for c in columns)


KEY_SQL = """SELECT {key}, {organisation} FROM "partners_partnerapikey" INNER JOIN
"cities_partnerorganisation" ON ("partners_partnerapikey"."organisation_id" =
"cities_partnerorganisation"."id") WHERE (NOT "partners_partnerapikey"."revoked" AND
("partners_partnerapikey"."expiry_date" IS NULL OR "partners_partnerapikey"."expiry_date" >
%(now)s) AND (EXISTS(SELECT 1 AS "a" FROM "cities_cooperationagreement" "U0" WHERE
("U0"."status" = 'signed' AND ("U0"."valid_from" IS NULL OR "U0"."valid_from" <= %(today)s)
AND ("U0"."valid_until" IS NULL OR "U0"."valid_until" >= %(today)s) AND
"U0"."partner_organisation_id" = ("partners_partnerapikey"."organisation_id")) LIMIT 1) OR
EXISTS(SELECT 1 AS "a" FROM "cities_cooperationagreement" "U0" WHERE ("U0"."status" =
'signed' AND ("U0"."valid_from" IS NULL OR "U0"."valid_from" <= %(today)s) AND
("U0"."valid_until" IS NULL OR "U0"."valid_until" >= %(today)s) AND
"U0"."hub_organisation_id" = ("partners_partnerapikey"."organisation_id")) LIMIT 1)) AND
"partners_partnerapikey"."prefix" = %(prefix)s) ORDER BY "partners_partnerapikey"."created"
DESC LIMIT 1"""

# auth._note_use: only when last_used_at is a minute old, so not on most pages.
LAST_USE_SQL = """UPDATE "partners_partnerapikey" SET "last_used_at" = %(now)s
WHERE (("partners_partnerapikey"."last_used_at" IS NULL
        OR "partners_partnerapikey"."last_used_at" < %(stale)s)
       AND "partners_partnerapikey"."id" = %(id)s)"""

# pages.ROW_FIELDS, in its order: (table, column, the values() name).
ROW_COLUMNS = (
    [
        ("partners_applicationshare", c, c)
        for c in ["application_ref", "application_id", "position", "changed_at", "removed_at"]
    ]
    + [
        ("exchanges_application", c, f"application__{c}")
        for c in [
            "state",
            "motivation",
            "goals",
            "needs",
            "pitch_deck",
            "consent_at",
            "consent_text",
            "submitted_at",
            "decided_at",
            "confirm_by",
            "updated_at",
            "programme_id",
        ]
    ]
    + [("exchanges_exchangeprogramme", "slug", "application__programme__slug")]
    + [
        ("startups_startup", c, f"application__startup__{c}")
        for c in [
            "name",
            "slug",
            "other_city",
            "country",
            "founded_year",
            "founded_month",
            "website",
            "sector",
            "stage",
            "product_launched",
            "team_size",
            "pitch",
        ]
    ]
    + [("cities_city", "slug", "application__startup__city__slug")]
)
ROW = {name: k for k, (_table, _column, name) in enumerate(ROW_COLUMNS)}
ROW_SELECT = ", ".join(f'"{table}"."{c}" AS "{name}"' for table, c, name in ROW_COLUMNS)
# pages.STARTUP_FIELDS → the row's column.
STARTUP = [
    (
        field,
        ROW[
            "application__startup__city__slug"
            if field == "city"
            else f"application__startup__{field}"
        ],
    )
    for field in [
        "name",
        "slug",
        "city",
        "other_city",
        "country",
        "founded_year",
        "founded_month",
        "website",
        "sector",
        "stage",
        "product_launched",
        "team_size",
        "pitch",
    ]
]

PAGE_SQL = """SELECT {columns}
FROM "partners_applicationshare"
LEFT OUTER JOIN "exchanges_application"
  ON ("partners_applicationshare"."application_id" = "exchanges_application"."id")
LEFT OUTER JOIN "exchanges_exchangeprogramme"
  ON ("exchanges_application"."programme_id" = "exchanges_exchangeprogramme"."id")
LEFT OUTER JOIN "startups_startup"
  ON ("exchanges_application"."startup_id" = "startups_startup"."id")
LEFT OUTER JOIN "cities_city" ON ("startups_startup"."city_id" = "cities_city"."id")
WHERE ("partners_applicationshare"."organisation_id" = %(organisation)s
  AND ("partners_applicationshare"."position"
         < (pg_snapshot_xmin(pg_current_snapshot())::text::bigint)
       OR "partners_applicationshare"."position" = (pg_current_xact_id_if_assigned()::text::bigint))
  AND "partners_applicationshare"."position" >= %(position)s
  AND ("partners_applicationshare"."position" > %(position)s
       OR ("partners_applicationshare"."application_ref" > %(ref)s
           AND "partners_applicationshare"."position" = %(position)s)))
ORDER BY 3 ASC, 1 ASC LIMIT %(limit)s""".replace("{columns}", ROW_SELECT)

_ANSWER = _select("exchanges_answer", ["application_id", "question_id", "value"])
ANSWERS_SQL = """SELECT {columns} FROM "exchanges_answer"
WHERE "exchanges_answer"."application_id" IN ({ids})""".replace("{columns}", _ANSWER)

# ProgrammeQuestion's Meta.ordering brings the join and the ORDER BY. (The view's column
# order changes from process to process with the hash seed, modeltranslation's values();
# this is one of its orders.)
QUESTION_COLUMNS = ["id", "position", "kind", "required"] + [
    f"text_{code.replace('-', '_')}" for code in LANGUAGES
]
_QUESTION = _select("exchanges_programmequestion", QUESTION_COLUMNS)
QUESTIONS_SQL = """SELECT {columns} FROM "exchanges_programmequestion"
INNER JOIN "exchanges_exchangeprogramme"
  ON ("exchanges_programmequestion"."programme_id" = "exchanges_exchangeprogramme"."id")
WHERE "exchanges_programmequestion"."id" IN ({ids})
ORDER BY "exchanges_exchangeprogramme"."applications_close_at" ASC,
  "exchanges_exchangeprogramme"."slug" ASC, 2 ASC,
  "exchanges_programmequestion"."id" ASC""".replace("{columns}", _QUESTION)

_EVENT = _select(
    "exchanges_applicationevent", ["application_id", "at", "verb", "from_state", "to_state"]
)
EVENTS_SQL = """SELECT {columns} FROM "exchanges_applicationevent"
WHERE "exchanges_applicationevent"."application_id" IN ({ids})
ORDER BY 1 ASC, 2 ASC, "exchanges_applicationevent"."id" ASC""".replace("{columns}", _EVENT)

LEDGER_SQL = """
INSERT INTO partners_dataaccess
    (key_id, organisation_id, application_id, day, profile, answers, pitch_deck, first_at, last_at)
VALUES {rows}
ON CONFLICT (key_id, application_id, day) DO UPDATE SET
    profile = (partners_dataaccess.profile OR excluded.profile),
    answers = (partners_dataaccess.answers OR excluded.answers),
    pitch_deck = (partners_dataaccess.pitch_deck OR excluded.pitch_deck),
    last_at = excluded.last_at
"""


class Floor:
    """One partner's list page as plainly as it can be served: SQL in, JSON bytes out."""

    def __init__(
        self, url: str, key: str, secret: str, base_url: str, *, link_seconds: int, codec
    ) -> None:
        # Client-side binding and autocommit, as Django's psycopg backend does.
        self.conn = psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor)
        self.conn.execute("SET TIME ZONE 'UTC'")
        self.key, self.base_url = key, base_url
        # The cursor's (position, ref) ↔ token: the project's own plain functions
        # (exchanges/partners/api/cursor.py, no database, no ORM), so the floor writes the
        # token the view writes, whatever its format.
        self.encode, self.decode = codec.encode, codec.decode
        self.link = datetime.timedelta(seconds=link_seconds)
        self.deck_key = hashlib.sha256(b"partners.pitch-decksigner" + secret.encode()).digest()
        self.tz = _zone("Europe/Berlin")  # TIME_ZONE: the ledger's day and the agreements'
        self.statements = 0  # sent by the last page
        sql, self.key_index = {}, {}
        for alias, table in [
            ("key", "partners_partnerapikey"),
            ("organisation", "cities_partnerorganisation"),
        ]:
            empty = self.conn.execute(f'SELECT * FROM "{table}" LIMIT 0')  # noqa: S608
            names = [d.name for d in empty.description]
            sql[alias] = ", ".join(f'"{table}"."{n}"' for n in names)
            if alias == "key":
                self.key_index = {n: k for k, n in enumerate(names)}
        self.key_sql = KEY_SQL.format(key=sql["key"], organisation=sql["organisation"])

    def execute(self, sql: str, params=None):
        self.statements += 1
        return self.conn.execute(sql, params)

    def authenticate(self, now: datetime.datetime) -> tuple[str, int]:
        prefix, _, _ = self.key.partition(".")
        row = self.execute(
            self.key_sql, {"now": now, "today": now.astimezone(self.tz).date(), "prefix": prefix}
        ).fetchone()
        k = self.key_index
        digest = "sha512$$" + hashlib.sha512(self.key.encode()).hexdigest()
        if row is None or not hmac.compare_digest(row[k["hashed_key"]], digest):
            raise RuntimeError("the floor's key did not authenticate")
        last = row[k["last_used_at"]]
        if last is None or now - last >= LAST_USE_INTERVAL:
            self.execute(
                LAST_USE_SQL, {"now": now, "stale": now - LAST_USE_INTERVAL, "id": row[k["id"]]}
            )
        return row[k["id"]], row[k["organisation_id"]]

    def page(self, token: str, size: int = 100, language: str | None = None) -> bytes:
        self.statements = 0
        now = datetime.datetime.now(datetime.UTC)
        key_id, organisation = self.authenticate(now)
        position, ref = self.decode(token)
        rows = self.execute(
            PAGE_SQL,
            {"organisation": organisation, "position": position, "ref": ref, "limit": size + 1},
        ).fetchall()
        more = len(rows) > size
        rows = rows[:size]
        app_id, removed = ROW["application_id"], ROW["removed_at"]
        live = [row[app_id] for row in rows if row[removed] is None]
        answers, history = {}, {}
        if live:
            ids = ", ".join(["%s"] * len(live))
            found = self.execute(ANSWERS_SQL.replace("{ids}", ids), live).fetchall()
            questions = self.questions({question for _a, question, _v in found}, language)
            found.sort(key=lambda answer: (answer[0], questions[answer[1]][0], answer[1]))
            for application, question, value in found:
                answers.setdefault(application, []).append(
                    {"question": questions[question][1], "value": value}
                )
            for application, at, verb, source, target in self.execute(
                EVENTS_SQL.replace("{ids}", ids), live
            ):
                history.setdefault(application, []).append(
                    {"at": at, "action": verb, "from_state": source, "to_state": target}
                )
        results = [
            self.application(
                row, answers, history, key_id=key_id, organisation=organisation, now=now
            )
            if row[removed] is None
            else {"id": row[ROW["application_ref"]], "removed": True, "at": row[removed]}
            for row in rows
        ]
        if live:
            self.ledger(key_id, organisation, sorted(set(live)), now)
        if rows:
            last = rows[-1]
            token = self.encode(last[ROW["position"]], last[ROW["application_ref"]])
        # else the token stays the one given
        query = f"cursor={token}" + (f"&lang={language}" if language else "")  # as given
        next_url = f"{self.base_url}{LIST}?{query}" if more else None
        body = orjson.dumps(
            {"results": results, "cursor": token, "next": next_url}, option=orjson.OPT_UTC_Z
        )
        self.etag = f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'  # as the API's
        return body

    def questions(self, ids: set[int], language: str | None) -> dict[int, tuple[int, dict]]:
        """Question id → (its position, its representation), as Page._questions."""
        if not ids:
            return {}
        sql = QUESTIONS_SQL.replace("{ids}", ", ".join(["%s"] * len(ids)))
        questions = {}
        for pk, position, kind, required, *texts in self.execute(sql, list(ids)):
            text = {code: value or None for code, value in zip(LANGUAGES, texts, strict=True)}
            shown = {"id": pk, "text": text, "kind": kind, "required": required}
            if language is not None:
                value = text[language]
                if value is None and text[FALLBACK_LANGUAGE] is not None:
                    shown["text"], shown["fallback_languages"] = (
                        text[FALLBACK_LANGUAGE],
                        {"text": FALLBACK_LANGUAGE},
                    )
                else:
                    shown["text"], shown["fallback_languages"] = value, {}
            questions[pk] = (position, shown)
        return questions

    def application(self, row, answers, history, *, key_id, organisation, now) -> dict:
        pk = row[ROW["application_id"]]
        deck = row[ROW["application__pitch_deck"]]
        return {
            "id": pk,
            "removed": False,
            "programme": {
                "id": row[ROW["application__programme_id"]],
                "slug": row[ROW["application__programme__slug"]],
            },
            "state": row[ROW["application__state"]],
            "startup": {field: row[k] for field, k in STARTUP},
            "motivation": row[ROW["application__motivation"]],
            "goals": row[ROW["application__goals"]],
            "needs": row[ROW["application__needs"]] or [],
            "answers": answers.get(pk, []),
            "consent": {
                "at": row[ROW["application__consent_at"]],
                "wording": row[ROW["application__consent_text"]],
            },
            "pitch_deck": self.deck(deck, pk, organisation, key_id, now) if deck else None,
            "history": history.get(pk, []),
            "submitted_at": row[ROW["application__submitted_at"]],
            "decided_at": row[ROW["application__decided_at"]],
            "confirm_by": row[ROW["application__confirm_by"]],
            "updated_at": row[ROW["application__updated_at"]],
        }

    def deck(self, name: str, pk: int, organisation: int, key_id: str, now) -> dict:
        """The signed link, as pitch_decks.link with Signer.sign_object(compress=True)."""
        end = now + self.link  # rounded up to the minute, as pitch_decks.expiry
        expires = end.replace(second=0, microsecond=0)
        if expires != end:
            expires += datetime.timedelta(minutes=1)
        claims = {"n": name, "a": pk, "o": organisation, "e": int(expires.timestamp())}
        data = json.dumps(claims, separators=(",", ":")).encode("latin-1")
        compressed = zlib.compress(data)
        prefix = ""
        if len(compressed) < len(data) - 1:
            data, prefix = compressed, "."
        value = prefix + base64.urlsafe_b64encode(data).strip(b"=").decode()
        # signing.Signer: no timestamp (the claims carry their expiry).
        mac = hmac.new(self.deck_key, value.encode(), hashlib.sha256).digest()
        token = f"{value}:{base64.urlsafe_b64encode(mac).strip(b'=').decode()}"
        path = quote(name, safe=URL_SAFE)
        return {
            "url": f"{self.base_url}/private/{path}?token={quote_plus(token)}",
            "expires_at": expires,
        }

    def ledger(self, key_id: str, organisation: int, ids: list[int], now) -> None:
        day = now.astimezone(self.tz).date()
        params: list = []
        for pk in ids:
            params += [key_id, organisation, pk, day, True, True, False, now, now]
        row = "(%s, %s, %s, %s, %s, %s, %s, %s, %s)"
        self.execute(LEDGER_SQL.replace("{rows}", ", ".join([row] * len(ids))), params)


def _b62(n: int) -> str:
    out = ""
    while True:
        n, r = divmod(n, 62)
        out = B62[r] + out
        if n == 0:
            return out


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2], int(sys.argv[3]))))
    else:
        main()
