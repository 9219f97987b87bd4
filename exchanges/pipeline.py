"""Reads of the selection: a programme's decision board, and the pipeline of open programmes.

Each read makes a constant number of queries, whatever the number of applications or
programmes: the board's rows come with what eligibility and recommendations read, and
the dashboard counts with one GROUP BY (programme, state) over every programme the user
sees, which the (programme, state) index answers alone, and one aggregate over the few
rows that are staged, unreviewed or awaiting confirmation.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from alliance.accounts.models import User
from alliance.mail.models import EmailMessage
from exchanges import access, services
from exchanges.models import (
    SEAT_STATES,
    STAGEABLE,
    Application,
    ExchangeProgramme,
    Recommendation,
    State,
    Verb,
)
from exchanges.rules import EligibilityResult, eligibility_results

# The board's columns that sort, by the name `?o=` carries (a leading "-" reverses); the
# application's id breaks ties, and empty values (no review yet) come last either way.
BOARD_ORDERINGS = {
    "startup": ("startup__name",),
    "city": ("startup__city__name", "startup__other_city"),
    "reviews": ("review_count",),
    "score": ("review_score",),
    "spread": ("review_spread",),
    "state": ("state_order",),
    "staged": ("pending_decision", "rank"),
    "submitted": ("submitted_at",),
}
DEFAULT_BOARD_ORDER = "-score"
# `?staged=` takes a stageable verb, or one of these.
STAGED_NONE = "none"
STAGED_ANY = "any"
BOARD_STATES = [state for state in State if state != State.DRAFT]
# Applications that wait for staff: they count as "reviews missing" while nobody reviewed.
AWAITING_REVIEW = (State.SUBMITTED, State.IN_REVIEW, State.SHORTLISTED, State.WAITLISTED)
# Applications that keep a programme on the dashboard once its call has closed.
AWAITING_DECISION = (State.SUBMITTED, State.IN_REVIEW, State.SHORTLISTED)
# States in the state machine's order, for sorting by state.
STATE_ORDER = Case(
    *(When(state=state, then=Value(position)) for position, state in enumerate(State)),
    output_field=IntegerField(),
)


def board_ordering(order: str) -> tuple[str, list]:
    """The `?o=` value actually used (an unknown one falls back) and its ORDER BY terms."""
    name = order.removeprefix("-")
    if name not in BOARD_ORDERINGS:
        order, name = DEFAULT_BOARD_ORDER, DEFAULT_BOARD_ORDER.removeprefix("-")
    descending = order.startswith("-")
    terms = [
        F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
        for column in BOARD_ORDERINGS[name]
    ]
    return order, [*terms, "-pk" if descending else "pk"]


@dataclass
class BoardRow:
    """One application on the board, with its eligibility worked out."""

    application: Application
    eligibility: list[EligibilityResult]

    @property
    def eligible(self) -> bool:
        return all(result.passed for result in self.eligibility)

    @property
    def failed_rules(self) -> list[str]:
        return [result.rule for result in self.eligibility if not result.passed]


def board_applications(programme: ExchangeProgramme) -> QuerySet[Application]:
    """Every submitted (non-draft) application of `programme`, with what the board shows."""
    return (
        programme.applications.exclude(state=State.DRAFT)
        .annotate(state_order=STATE_ORDER)
        .select_related("startup", "startup__city")
        .prefetch_related(
            Prefetch(
                "recommendations",
                queryset=Recommendation.objects.select_related("organisation").order_by(
                    "organisation__name", "pk"
                ),
            )
        )
    )


@dataclass(frozen=True)
class BoardPage:
    """One page of the board: its rows, and whether pages come before and after it."""

    rows: list[BoardRow]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def board_rows(
    programme: ExchangeProgramme,
    *,
    order: str = DEFAULT_BOARD_ORDER,
    state: str = "",
    staged: str = "",
    page: int = 1,
    today: datetime.date | None = None,
) -> BoardPage:
    """One page of the board's rows, sorted and filtered (unknown values are no filter).

    Never counted: a page reads one row more than it shows to know whether another
    follows (a programme may have many thousands of applications).
    """
    size = settings.BOARD_PAGE_SIZE
    today = today or timezone.localdate()
    applications = board_applications(programme)
    if state in BOARD_STATES:
        applications = applications.filter(state=state)
    if staged == STAGED_NONE:
        applications = applications.filter(pending_decision="")
    elif staged == STAGED_ANY:
        applications = applications.exclude(pending_decision="")
    elif staged in STAGEABLE:
        applications = applications.filter(pending_decision=staged)
    _, terms = board_ordering(order)
    # Eligibility reads the programme's origin cities: once, from the prefetch cache.
    if not hasattr(programme, "_prefetched_objects_cache") or (
        "eligible_origin_cities" not in programme._prefetched_objects_cache
    ):
        programme = ExchangeProgramme.objects.prefetch_related("eligible_origin_cities").get(
            pk=programme.pk
        )
    start = (page - 1) * size
    found = list(applications.order_by(*terms)[start : start + size + 1])
    rows = [
        BoardRow(application, eligibility_results(programme, application.startup, today=today))
        for application in found[:size]
    ]
    return BoardPage(rows, page, has_next=len(found) > size)


@dataclass(frozen=True)
class SeatSummary:
    seats: int
    held: int  # accepted and confirmed
    staged_accepts: int
    staged: int  # every staged decision
    warning: str | None

    @property
    def free(self) -> int:
        return max(self.seats - self.held, 0)

    @property
    def free_after_staged(self) -> int:
        return max(self.seats - self.held - self.staged_accepts, 0)


def seat_summary(programme: ExchangeProgramme) -> SeatSummary:
    """The programme's seats: held, staged for acceptance, free, and the warning if over."""

    def count(applications: QuerySet, **counts) -> dict:
        # One subquery per set of rows, so that each reads its own index: the seats held
        # come from the (programme, state) index alone, the staged ones from few rows.
        grouped = applications.filter(programme=OuterRef("pk")).order_by().values("programme")
        return {
            name: Coalesce(Subquery(grouped.annotate(n=aggregate).values("n")), 0)
            for name, aggregate in counts.items()
        }

    counts = (
        ExchangeProgramme.objects.filter(pk=programme.pk)
        .annotate(
            **count(Application.objects.filter(state__in=SEAT_STATES), held=Count("*")),
            **count(
                Application.objects.exclude(pending_decision=""),
                staged_accepts=Count("pk", filter=Q(pending_decision=Verb.ACCEPT)),
                staged=Count("*"),
            ),
        )
        .values("held", "staged_accepts", "staged")
        .get()
    )
    over = counts["held"] + counts["staged_accepts"] > programme.seats
    # The service words the warning; asked only when there is one to give.
    warning = services.staged_seat_warning(programme) if over else None
    return SeatSummary(seats=programme.seats, warning=warning, **counts)


@dataclass(frozen=True)
class EmailPreview:
    recipient: str
    language: str
    subject: str
    body_text: str


@dataclass(frozen=True)
class AnnouncementPreview:
    decisions: list[Application]  # as they will be after the announcement
    emails: list[EmailPreview]


class _RolledBack(Exception):  # noqa: N818 (not an error: how the preview undoes itself)
    def __init__(self, preview: AnnouncementPreview):
        self.preview = preview


def preview_announcement(programme: ExchangeProgramme, *, by: User) -> AnnouncementPreview:
    """What announcing would do, found by announcing and rolling back: the very emails.

    The announcement runs in a savepoint that is always rolled back; the outbox rows it
    wrote are read before that, and the work queued after commit is dropped with it. A
    refusal (nothing staged, not enough seats) raises its `DomainError` as announcing
    would.
    """
    try:
        with transaction.atomic():
            last = EmailMessage.objects.order_by("-pk").values_list("pk", flat=True).first()
            announced = services.announce_decisions(programme, by=by)
            emails = (
                EmailMessage.objects.filter(
                    pk__gt=last or 0,
                    related_type=Application._meta.label_lower,
                    related_id__in=[application.pk for application in announced],
                    confidential=False,
                )
                .order_by("related_id", "recipient", "pk")
                .values_list("recipient", "language", "subject", "body_text")
            )
            raise _RolledBack(
                AnnouncementPreview(announced, [EmailPreview(*email) for email in emails])
            )
    except _RolledBack as undone:
        return undone.preview


# The dashboard


@dataclass
class ProgrammePipeline:
    """One open programme on the admin index: its numbers, ready to draw."""

    programme: ExchangeProgramme
    states: list[tuple[State, int]]  # every state but draft, in the state machine's order
    drafts: int
    staged: int
    staged_accepts: int
    reviews_missing: int
    awaiting_confirmation: int
    next_confirm_by: datetime.datetime | None
    call_open: bool

    @property
    def seats(self) -> int:
        return self.programme.seats

    @property
    def held(self) -> int:
        return sum(count for state, count in self.states if state in SEAT_STATES)

    @property
    def free(self) -> int:
        return max(self.seats - self.held, 0)

    @property
    def submitted(self) -> int:
        return sum(count for _state, count in self.states)


def open_programmes(user: User | None, *, now: datetime.datetime | None = None) -> list:
    """The pipeline of every open programme `user` may see, in three queries.

    Open: published, and either its call is open at `now` or it still has applications
    to decide (submitted, in review, shortlisted), staged decisions, or acceptances
    awaiting confirmation. The programmes come first; then the counts per state, one
    GROUP BY that the (programme, state) index answers alone; then the few numbers that
    read other columns, from the rows that can have them.
    """
    now = now or timezone.now()
    programmes = list(
        access.visible_programmes(user)
        .published()
        .select_related("host_city")
        .order_by("applications_close_at", "pk")
    )
    if not programmes:
        return []
    ids = [programme.pk for programme in programmes]
    per_state: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    for programme_id, state, count in (
        Application.objects.filter(programme__in=ids)
        .order_by()
        .values_list("programme", "state")
        .annotate(count=Count("*"))
    ):
        per_state[programme_id][state] = count
    waiting = {
        row["programme"]: row
        for row in Application.objects.filter(
            Q(programme__in=ids),
            ~Q(pending_decision="")
            | Q(state__in=AWAITING_REVIEW, review_count=0)
            | Q(state=State.ACCEPTED),
        )
        .order_by()
        .values("programme")
        .annotate(
            staged=Count("pk", filter=~Q(pending_decision="")),
            staged_accepts=Count("pk", filter=Q(pending_decision=Verb.ACCEPT)),
            reviews_missing=Count("pk", filter=Q(state__in=AWAITING_REVIEW, review_count=0)),
            next_confirm_by=Min("confirm_by", filter=Q(state=State.ACCEPTED)),
        )
    }
    rows = []
    for programme in programmes:
        counts, other = per_state[programme.pk], waiting.get(programme.pk, {})
        call_open = programme.applications_open_at <= now < programme.applications_close_at
        staged = other.get("staged", 0)
        undecided = sum(counts.get(state, 0) for state in AWAITING_DECISION)
        if not (call_open or undecided or staged or counts.get(State.ACCEPTED)):
            continue
        rows.append(
            ProgrammePipeline(
                programme=programme,
                states=[(state, counts.get(state, 0)) for state in State if state != State.DRAFT],
                drafts=counts.get(State.DRAFT, 0),
                staged=staged,
                staged_accepts=other.get("staged_accepts", 0),
                reviews_missing=other.get("reviews_missing", 0),
                awaiting_confirmation=counts.get(State.ACCEPTED, 0),
                next_confirm_by=other.get("next_confirm_by"),
                call_open=call_open,
            )
        )
    return rows
