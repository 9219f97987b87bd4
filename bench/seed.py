"""Seed a PostgreSQL database with N applications for the benchmarks, once, with COPY.

    .venv/bin/python bench/seed.py bench_100k 100000
    .venv/bin/python bench/seed.py bench_1m 1000000

Creates the database if needed, migrates it, loads the network (cities, organisations,
active agreements), makes six programmes (five hosts; one co-organised by the hub
organisation) with three questions each through the ORM, then writes the bulk with COPY:
one owner per start-up (every fifth has a member too), two applications per start-up in
non-draft states with their answers, state history and review summary, the partner feed
rows (one per host and co-organiser, 0.5 % of them tombstones), and N outbox emails (one
per application: mostly sent, some failed or queued, over the same three years). Seeding
is idempotent: a database that already holds exactly N applications and N emails, whose
seeded tables have the columns and indexes the models declare, is reused as it is (a
rewritten migration that changed them makes it seed afresh). Each call makes fresh
partner keys (`seed()` returns them; a key's secret is shown only once).

The bulk is written with `session_replication_role = replica` (foreign-key triggers off,
the rows are consistent by construction), then VACUUM ANALYZE, so the benchmarks see the
planner statistics and visibility map of a settled database. Used by bench/partner_api.py
and bench/admin_lists.py.
"""

import argparse
import datetime
import functools
import hashlib
import io
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")

# (slug, host organisation slug, co-organiser slugs): five hosts, Tel Aviv co-organised.
PROGRAMMES = [
    ("tel-aviv-exchange", "tel-aviv-global", ["berlin-partner"]),
    ("tel-aviv-growth", "tel-aviv-global", []),
    ("dubai-landing", "dubai-sme", []),
    ("vienna-residency", "wirtschaftsagentur-wien", []),
    ("beijing-bootcamp", "techcode-beijing", []),
    ("berlin-delegation", "berlin-partner", []),
]
QUESTIONS = [
    ("Which customers do you want to meet?", "Welche Kunden möchten Sie treffen?", "long_text"),
    ("Have you raised money before?", "Haben Sie schon Kapital aufgenommen?", "yes_no"),
    ("Who will travel?", "Wer wird reisen?", "text"),
]
# The states' shares (non-draft) and the verbs that led there, after submit.
STATES = [
    ("submitted", 20, []),
    ("in_review", 18, ["start_review"]),
    ("shortlisted", 10, ["start_review", "shortlist"]),
    ("waitlisted", 8, ["start_review", "waitlist"]),
    ("accepted", 7, ["start_review", "accept"]),
    ("rejected", 20, ["start_review", "reject"]),
    ("confirmed", 8, ["start_review", "accept", "confirm"]),
    ("expired", 3, ["start_review", "accept", "expire"]),
    ("withdrawn", 6, ["withdraw"]),
]
TARGET = {
    "submit": "submitted",
    "start_review": "in_review",
    "shortlist": "shortlisted",
    "waitlist": "waitlisted",
    "accept": "accepted",
    "reject": "rejected",
    "confirm": "confirmed",
    "expire": "expired",
    "withdraw": "withdrawn",
}
SECTORS = ["ai_data", "cleantech", "fintech", "healthtech", "mobility", "software", "edtech"]
STAGES = ["idea", "pre_seed", "seed", "series_a", "later"]
NEEDS = ['["meetings"]', '["meetings", "investors"]', '["office", "visa"]', "[]"]
PROSE = (
    "we build software that helps mid-sized manufacturers plan their energy use and cut "
    "costs with forecasts from their own meter data our pilots in three cities showed "
    "savings of a fifth within a quarter and we now look for partners in a new market "
    "where grid prices change by the hour and industry needs flexible demand"
)
WORDS = PROSE.split()
CONSENT = "I agree that the host and the co-organisers of this programme see my application."
SPAN = datetime.timedelta(days=3 * 365)
# Change positions are transaction ids in production; here this many applications share
# one (a batch), so the largest stays below the cluster's current transaction id, which
# the feed's visibility horizon requires.
PER_POSITION = 50
BATCH = 20_000


@dataclass
class Seeded:
    database: str
    url: str
    applications: int
    seconds: float  # 0 when reused
    keys: dict[str, str]  # organisation slug -> raw key
    organisations: dict[str, int]


def text(n: int, words: int) -> str:
    """Deterministic prose of about `words` words, one of 1,009 variants for each length."""
    return _prose(n % 1009, words)


@functools.cache
def _prose(n: int, words: int) -> str:
    start = (n * 7) % len(WORDS)
    out = [WORDS[(start + k * (1 + n % 5)) % len(WORDS)] for k in range(words)]
    return " ".join(out).capitalize() + "."


def mix(n: int) -> int:
    """A cheap deterministic hash of n (the same in every pass)."""
    return int.from_bytes(hashlib.blake2b(n.to_bytes(8), digest_size=8).digest())


def database_url(database: str) -> str:
    return f"{SERVER}/{database}"


def seed(database: str, applications: int) -> Seeded:
    """Make sure `database` holds `applications` seeded applications; return fresh keys."""
    started = time.perf_counter()
    os.environ.update(
        DJANGO_ENV=os.environ.get("DJANGO_ENV", "test"),
        DJANGO_SETTINGS_MODULE="alliance.settings",
        DATABASE_URL=database_url(database),
    )
    import django

    django.setup()
    from django.conf import settings

    if settings.DATABASES["default"]["NAME"] != database:
        raise RuntimeError("Django is already set up with another database")
    from django.core.management import call_command

    fresh = _ensure_database(database, applications)
    call_command("migrate", verbosity=0)
    if fresh:
        call_command("load_network", verbosity=0)
        programmes = _programmes()
        _bulk(database_url(database), applications, programmes)
    keys, organisations = _keys()
    seconds = time.perf_counter() - started if fresh else 0.0
    return Seeded(database, database_url(database), applications, seconds, keys, organisations)


def _ensure_database(database: str, applications: int) -> bool:
    """Create (or recreate) the database unless it already holds the seed; True if new."""
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        if exists.fetchone():
            if _holds_seed(database, applications):
                return False
            from django.db import connections

            connections.close_all()
            admin.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{database}"')
    return True


def _holds_seed(database: str, applications: int) -> bool:
    """Whether `database`, migrated to today's migrations, holds today's seed."""
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)  # a reused database gets newer migrations too
        with psycopg.connect(database_url(database)) as conn:
            # The benchmark's own check, once per seeding, not the API's.
            row = conn.execute("SELECT COUNT(*) FROM exchanges_application").fetchone()
            shares = conn.execute("SELECT 1 FROM partners_applicationshare LIMIT 1").fetchone()
            emails = conn.execute("SELECT COUNT(*) FROM mail_emailmessage").fetchone()
            changes = _schema_changes(conn)
    except Exception as error:  # noqa: BLE001  an old schema that today's migrations break
        print(f"  {database}: seeded afresh ({type(error).__name__}: {error})")
        return False
    if changes:
        print(f"  {database}: seeded afresh (the schema changed: {', '.join(changes[:5])})")
    return (
        row[0] == applications and shares is not None and emails[0] == applications and not changes
    )


# The tables the bulk writes, by model label; the email outbox's rows come with them.
SEEDED = [
    "accounts.User",
    "startups.Startup",
    "startups.Membership",
    "exchanges.Application",
    "exchanges.Answer",
    "exchanges.ApplicationEvent",
    "partners.ApplicationShare",
    "mail.EmailMessage",
]


def _schema_changes(conn) -> list[str]:
    """What the models declare that the seeded tables lack (or have in excess).

    The migrations of the seeded apps may be rewritten in place while there is no
    deployed data; `migrate` then sees nothing to do, and a reused database would keep
    the old columns (COPY fails) or the old indexes (the benchmarks measure the past).
    """
    from django.apps import apps

    changes = []
    for label in SEEDED:
        meta = apps.get_model(label)._meta
        declared = {field.column for field in meta.local_concrete_fields}
        present = {
            name
            for (name,) in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
                [meta.db_table],
            )
        }
        changes += [f"{meta.db_table}.{c}" for c in sorted(declared ^ present)]
        indexes = {
            name
            for (name,) in conn.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s", [meta.db_table]
            )
        }
        changes += [f"index {i.name}" for i in meta.indexes if i.name not in indexes]
    return changes


def _programmes() -> list[tuple[int, list[int], list[int]]]:
    """The programmes through the ORM: (id, organisation ids it is shared with, question ids)."""
    from django.utils import timezone

    from cities.models import PartnerOrganisation
    from exchanges.models import ExchangeProgramme, ProgrammeQuestion, ProgrammeStatus

    organisations = {o.slug: o for o in PartnerOrganisation.objects.select_related("city")}
    now = timezone.now()
    made = []
    for slug, host, co_organisers in PROGRAMMES:
        organisation = organisations[host]
        programme = ExchangeProgramme.objects.create(
            title_en=slug.replace("-", " ").title(),
            title_de=slug.replace("-", " ").title(),
            slug=slug,
            host_city=organisation.city,
            host_organisation=organisation,
            format="residency",
            summary_en="Three weeks with a desk, meetings with companies and investors.",
            summary_de="Drei Wochen mit Schreibtisch, Treffen mit Firmen und Investoren.",
            description_en=text(len(made), 80),
            benefits_en="A co-working desk\nMeetings with companies\nA demo day",
            starts_on=(now + datetime.timedelta(days=60)).date(),
            ends_on=(now + datetime.timedelta(days=81)).date(),
            applications_open_at=now - SPAN,
            applications_close_at=now + datetime.timedelta(days=30),
            seats=20,
            status=ProgrammeStatus.PUBLISHED,
        )
        programme.co_organisers.set([organisations[s] for s in co_organisers])
        questions = [
            ProgrammeQuestion.objects.create(
                programme=programme,
                text=en,
                text_en=en,
                text_de=de,
                kind=kind,
                required=True,
                position=position,
            ).pk
            for position, (en, de, kind) in enumerate(QUESTIONS)
        ]
        shared = [organisation.pk, *(organisations[s].pk for s in co_organisers)]
        made.append((programme.pk, shared, questions))
    return made


def _keys() -> tuple[dict[str, str], dict[str, int]]:
    """Fresh read keys for each organisation (the previous bench keys are deleted)."""
    from cities.models import PartnerOrganisation
    from exchanges.partners.models import PartnerApiKey

    PartnerApiKey.objects.filter(name="bench").delete()
    keys, ids = {}, {}
    for organisation in PartnerOrganisation.objects.all():
        _key, raw = PartnerApiKey.objects.create_key(
            name="bench", organisation=organisation, scopes=["read"]
        )
        keys[organisation.slug] = raw
        ids[organisation.slug] = organisation.pk
    return keys, ids


class Copier:
    """Rows as COPY text, sent in batches (the values never hold tabs, newlines or \\)."""

    def __init__(self, copy) -> None:
        self.copy, self.buffer, self.rows = copy, io.StringIO(), 0

    def row(self, *values) -> None:
        self.buffer.write("\t".join(r"\N" if v is None else str(v) for v in values))
        self.buffer.write("\n")
        self.rows += 1
        if self.rows % BATCH == 0:
            self.flush()

    def flush(self) -> None:
        self.copy.write(self.buffer.getvalue())
        self.buffer = io.StringIO()


def _bulk(url: str, applications: int, programmes: list) -> None:
    """The users, start-ups, memberships, applications, answers, history and shares."""
    startups = (applications + 1) // 2
    _age_cluster(url)
    with psycopg.connect(url) as conn:
        conn.execute("SET session_replication_role = replica")
        staff = conn.execute("SELECT COALESCE(MAX(id), 0) FROM accounts_user").fetchone()[0] + 1
        cities = [r[0] for r in conn.execute("SELECT id FROM cities_city ORDER BY id")]
        xid = conn.execute("SELECT pg_current_xact_id()::text::bigint").fetchone()[0]
        per = PER_POSITION
        while applications // per + 4000 >= xid:
            per *= 2
        now = datetime.datetime.now(datetime.UTC)
        start = now - SPAN
        step = SPAN / applications
        tables = {
            "accounts_user": _users,
            "startups_startup": _startups,
            "startups_membership": _memberships,
            "exchanges_application": _applications,
            "exchanges_answer": _answers,
            "exchanges_applicationevent": _events,
            "partners_applicationshare": _shares,
            "mail_emailmessage": _emails,
        }
        context = {
            "applications": applications,
            "startups": startups,
            "staff": staff,
            "cities": cities,
            "programmes": programmes,
            "start": start,
            "step": step,
            "per": per,
            "maxpos": applications // per + 1,
        }
        for table, rows in tables.items():
            began = time.perf_counter()
            columns, generate = rows(context)
            with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                copier = Copier(copy)
                generate(copier)
                copier.flush()
            print(f"  {table}: {copier.rows} rows in {time.perf_counter() - began:.1f} s")
        for table in tables:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT MAX(id) FROM {table}))"
            )
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        began = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        print(f"  VACUUM ANALYZE in {time.perf_counter() - began:.1f} s")


def _age_cluster(url: str, at_least: int = 10_000) -> None:
    """Use up transaction ids on a young cluster, so that the positions fit below them.

    Below about 4,000 no number of applications per position would do, and the loop
    that picks that number would never end.
    """
    with psycopg.connect(url, autocommit=True) as conn:
        xid = conn.execute("SELECT pg_current_xact_id()::text::bigint").fetchone()[0]
        for _ in range(max(at_least - xid, 0)):
            conn.execute("SELECT pg_current_xact_id()")  # autocommit: one id each


def _ts(moment: datetime.datetime) -> str:
    return moment.isoformat()


def _users(c):
    staff, startups = c["staff"], c["startups"]
    joined = _ts(c["start"])

    def generate(out: Copier) -> None:
        out.row(staff, "!", None, False, "staff@bench.example", "Bench Staff", "en",
                "Europe/Berlin", True, True, joined, False, joined, "")  # fmt: skip
        for n in range(startups + startups // 5):
            out.row(staff + 1 + n, "!", None, False, f"founder{n}@bench.example",
                    f"Founder {n}", "de" if n % 3 == 0 else "en", "Europe/Berlin", False,
                    True, joined, True, joined, "2026-11")  # fmt: skip

    columns = ["id", "password", "last_login", "is_superuser", "email", "name", "language",
               "time_zone", "is_staff", "is_active", "date_joined", "receives_reminders",
               "email_verified_at", "privacy_notice_version"]  # fmt: skip
    return columns, generate


def _startups(c):
    cities, created = c["cities"], _ts(c["start"])

    def generate(out: Copier) -> None:
        for s in range(c["startups"]):
            h = mix(s)
            out.row(s + 1, f"Bench {WORDS[h % len(WORDS)].title()} {s}", f"bench-startup-{s}",
                    "", "DE", 2015 + h % 10, 1 + h % 12, f"https://startup{s}.example",
                    SECTORS[h % len(SECTORS)], STAGES[h % len(STAGES)], h % 2 == 0,
                    1 + h % 40, text(s, 45), created, created, cities[h % len(cities)])  # fmt: skip

    columns = ["id", "name", "slug", "other_city", "country", "founded_year", "founded_month",
               "website", "sector", "stage", "product_launched", "team_size", "pitch",
               "created_at", "updated_at", "city_id"]  # fmt: skip
    return columns, generate


def _memberships(c):
    staff, startups, joined = c["staff"], c["startups"], _ts(c["start"])

    def generate(out: Copier) -> None:
        for s in range(startups):
            out.row(s + 1, "owner", joined, staff + 1 + s, s + 1)
        for m in range(startups // 5):
            out.row(startups + m + 1, "member", joined, staff + 1 + startups + m, 5 * m + 1)

    return ["id", "role", "joined_at", "user_id", "startup_id"], generate


def _application(c, i: int):
    """What every pass needs to agree on about application i (id i + 1)."""
    programmes = c["programmes"]
    startup = i // 2
    h = mix(startup)
    first = h % len(programmes)
    index = (
        first if i % 2 == 0 else (first + 1 + (h >> 8) % (len(programmes) - 1)) % len(programmes)
    )
    g = mix(i + 10**12)
    weight = g % 100
    state, verbs = _pick(weight)
    submitted = c["start"] + c["step"] * i
    position = 1 + (i + g % 2000) // c["per"]
    changed = c["start"] + SPAN * (position / c["maxpos"])
    return programmes[index], startup, state, verbs, submitted, max(changed, submitted), g


def _pick(weight: int) -> tuple[str, list[str]]:
    for state, share, verbs in STATES:
        if weight < share:
            return state, verbs
        weight -= share
    raise ValueError(weight)


def _applications(c):
    staff = c["staff"]

    def generate(out: Copier) -> None:
        for i in range(c["applications"]):
            (programme, _, _), startup, state, verbs, submitted, changed, g = _application(c, i)
            decided = submitted + datetime.timedelta(days=14) if len(verbs) > 1 else None
            confirm_by = decided + datetime.timedelta(days=7) if "accept" in verbs else None
            deck = f"pitch-decks/{g:016x}.pdf" if g % 10 < 3 else ""
            # The review summary: none before review, then up to three reviews.
            reviews = 0 if state in {"submitted", "withdrawn"} else 1 + (g >> 16) % 3
            score = f"{1 + (g >> 20) % 400 / 100:.2f}" if reviews else None
            spread = f"{(g >> 30) % 200 / 100:.2f}" if reviews > 1 else "0.00" if reviews else None
            out.row(i + 1, state, "", (g % 50) + 1 if state == "waitlisted" else None,
                    "", False, text(i, 120), text(i + 3, 60), NEEDS[g % len(NEEDS)], deck,
                    "deck.pdf" if deck else "",
                    _ts(submitted), CONSENT, _ts(submitted),
                    decided and _ts(decided), confirm_by and _ts(confirm_by),
                    _ts(submitted - datetime.timedelta(days=2)), _ts(changed),
                    reviews, score, spread,
                    staff + 1 + startup, startup + 1, programme)  # fmt: skip

    columns = ["id", "state", "pending_decision", "rank", "pending_comment",
               "pending_comment_shared", "motivation", "goals", "needs",
               "pitch_deck", "pitch_deck_filename", "consent_at", "consent_text", "submitted_at",
               "decided_at", "confirm_by", "created_at", "updated_at", "review_count",
               "review_score", "review_spread", "created_by_id", "startup_id",
               "programme_id"]  # fmt: skip
    return columns, generate


def _answers(c):
    def generate(out: Copier) -> None:
        n = 0
        for i in range(c["applications"]):
            (_, _, questions) = _application(c, i)[0]
            for k, question in enumerate(questions):
                n += 1
                value = ("yes" if i % 2 else "no") if k == 1 else text(i + k, 12 + 30 * (k == 0))
                out.row(n, value, i + 1, question)

    return ["id", "value", "application_id", "question_id"], generate


def _events(c):
    staff = c["staff"]

    def generate(out: Copier) -> None:
        n = 0
        for i in range(c["applications"]):
            _, startup, _, verbs, submitted, _, _ = _application(c, i)
            source = "draft"
            for k, verb in enumerate(["submit", *verbs]):
                n += 1
                owner = verb in {"submit", "confirm", "withdraw"}
                actor = staff + 1 + startup if owner else (None if verb == "expire" else staff)
                at = submitted + datetime.timedelta(days=7 * k)
                out.row(n, verb, source, TARGET[verb], "", _ts(at), actor, i + 1)
                source = TARGET[verb]

    columns = ["id", "verb", "from_state", "to_state", "comment", "at", "actor_id",
               "application_id"]  # fmt: skip
    return columns, generate


def _shares(c):
    def generate(out: Copier) -> None:
        n = 0
        for i in range(c["applications"]):
            (_, shared, _), _, _, _, submitted, changed, g = _application(c, i)
            position = 1 + (i + g % 2000) // c["per"]
            removed = _ts(changed) if g % 200 == 7 else None  # consent withdrawn: tombstones
            for organisation in shared:
                n += 1
                out.row(n, i + 1, position, _ts(changed), _ts(submitted), removed, i + 1,
                        organisation)  # fmt: skip

    columns = ["id", "application_ref", "position", "changed_at", "shared_at", "removed_at",
               "application_id", "organisation_id"]  # fmt: skip
    return columns, generate


# The outbox: which emails, in what shares (of 100), and how they ended.
EMAILS = [
    ("exchanges/email/application_submitted", 30),
    ("exchanges/email/application_shortlisted", 8),
    ("exchanges/email/application_waitlisted", 6),
    ("exchanges/email/application_accepted", 6),
    ("exchanges/email/application_rejected", 15),
    ("exchanges/email/application_confirmed", 5),
    ("exchanges/email/draft_reminder", 10),
    ("exchanges/email/submission_digest", 5),
    ("startups/email/invitation", 5),
    ("account/email/email_confirmation_signup", 7),
    ("account/email/password_reset_key", 3),
]
EMAIL_KEYS = [key for key, share in EMAILS for _ in range(share)]
# 94 % sent, 4 % failed for good, 2 % queued or sending (a retry waits).
EMAIL_STATUSES = ["sent"] * 94 + ["failed"] * 4 + ["queued", "sending"]


def _emails(c):
    start, step = c["start"], SPAN / c["applications"]

    def generate(out: Copier) -> None:
        for n in range(c["applications"]):
            g = mix(n + 2 * 10**12)
            key = EMAIL_KEYS[g % len(EMAIL_KEYS)]
            created = start + step * n
            status = EMAIL_STATUSES[(g >> 8) % 100]
            sent = _ts(created + datetime.timedelta(seconds=2)) if status == "sent" else None
            error = "SMTP 451: try again later" if status != "sent" else ""
            confidential = key.startswith("account/")
            about = "" if confidential else "exchanges.application"
            out.row(n + 1, f"founder{(g >> 16) % max(c['startups'], 1)}@bench.example",
                    "de" if g % 3 == 0 else "en", key, f"[Start Alliance] {key.split('/')[-1]}",
                    "" if confidential and sent else text(n, 40), "", about,
                    None if confidential else 1 + (g >> 24) % c["applications"],
                    f"<bench-{n}@bench.example>", "", confidential, status,
                    1 if status == "sent" else 1 + (g >> 32) % 5, _ts(created), None, "", error,
                    sent, _ts(created))  # fmt: skip

    columns = ["id", "recipient", "language", "template_key", "subject", "body_text",
               "body_html", "related_type", "related_id", "message_id", "unsubscribe_url",
               "confidential", "status", "attempts", "next_attempt_at", "claimed_at",
               "claim_token", "last_error", "sent_at", "created_at"]  # fmt: skip
    return columns, generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database")
    parser.add_argument("applications", type=int)
    args = parser.parse_args()
    seeded = seed(args.database, args.applications)
    how = f"seeded in {seeded.seconds:.0f} s" if seeded.seconds else "reused"
    print(f"{seeded.database}: {seeded.applications} applications, {how}")


if __name__ == "__main__":
    main()
