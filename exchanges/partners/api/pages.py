"""Building the partner API's pages: plain rows in, the representation out.

The list serves a hundred applications with their start-up, answers and history a page;
the serializers in `serializers.py` declare that representation (the schema and the docs
come from them, and a test holds the two to the same fields), while this module builds it
from `values()` rows, without a model instance or a serializer field per value, so a page
costs little more than its SQL (`make bench`). Four statements a page: the feed rows with
their application, start-up and programme; the answers; the questions (each once); the
history.
"""

import datetime
from collections.abc import Callable
from itertools import groupby

from django.db.models import QuerySet

from alliance.api.formats import iso
from alliance.api.languages import columns, in_language
from exchanges.models import Answer, ApplicationEvent, ProgrammeQuestion
from exchanges.partners import pitch_decks

STARTUP_FIELDS = (
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
)
_APPLICATION = (
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
    "programme__slug",
)
ROW_FIELDS = (
    "organisation_id",
    "application_ref",
    "application_id",
    "position",
    "changed_at",
    "removed_at",
    *(f"application__{name}" for name in _APPLICATION),
    *(f"application__startup__{name}" for name in STARTUP_FIELDS if name != "city"),
    "application__startup__city__slug",
)
_QUESTION_TEXT = columns("text")
_STARTUP_COLUMNS = {
    name: "application__startup__city__slug" if name == "city" else f"application__startup__{name}"
    for name in STARTUP_FIELDS
}


def rows(shares: QuerySet) -> list[dict]:
    return list(shares.values(*ROW_FIELDS))


class Page:
    """The representation of feed rows for one organisation, in one content language."""

    def __init__(
        self,
        *,
        organisation_id: int,
        absolute: Callable[[str], str],
        language: str | None,
        deck_expiry: datetime.datetime | None = None,
    ) -> None:
        """`absolute` makes a path absolute (the request's `build_absolute_uri`, or SITE_URL
        for a webhook); `deck_expiry` is when pitch-deck links stop working (the default
        lifetime from now if None)."""
        self.organisation_id = organisation_id
        self.absolute = absolute
        self.language = language
        self.deck_expiry = deck_expiry

    def build(self, rows: list[dict]) -> list[dict]:
        ids = [row["application_id"] for row in rows if row["removed_at"] is None]
        answers = self._answers(ids)
        history = self._history(ids)
        return [
            self.tombstone(row)
            if row["removed_at"] is not None
            else self.application(
                row, answers.get(row["application_id"], []), history.get(row["application_id"], [])
            )
            for row in rows
        ]

    @staticmethod
    def tombstone(row: dict) -> dict:
        return {"id": row["application_ref"], "removed": True, "at": iso(row["removed_at"])}

    def application(self, row: dict, answers: list, history: list) -> dict:
        get = row.get
        deck = get("application__pitch_deck")
        return {
            "id": row["application_id"],
            "removed": False,
            "programme": {
                "id": get("application__programme_id"),
                "slug": get("application__programme__slug"),
            },
            "state": get("application__state"),
            "startup": {name: get(_STARTUP_COLUMNS[name]) for name in STARTUP_FIELDS},
            "motivation": get("application__motivation"),
            "goals": get("application__goals"),
            "needs": get("application__needs") or [],
            "answers": answers,
            "consent": {
                "at": iso(get("application__consent_at")),
                "wording": get("application__consent_text"),
            },
            "pitch_deck": (
                pitch_decks.link(
                    deck,
                    row["application_id"],
                    self.organisation_id,
                    self.absolute,
                    expires_at=self.deck_expiry,
                )
                if deck
                else None
            ),
            "history": history,
            "submitted_at": iso(get("application__submitted_at")),
            "decided_at": iso(get("application__decided_at")),
            "confirm_by": iso(get("application__confirm_by")),
            "updated_at": iso(get("application__updated_at")),
        }

    def _answers(self, ids: list[int]) -> dict[int, list[dict]]:
        if not ids:
            return {}
        found = list(
            Answer.objects.filter(application_id__in=ids).values_list(
                "application_id", "question_id", "value"
            )
        )
        questions = self._questions({question for _app, question, _value in found})
        found.sort(key=lambda answer: (answer[0], questions[answer[1]][0], answer[1]))
        return {
            application: [
                {"question": questions[question][1], "value": value}
                for _app, question, value in answers
            ]
            for application, answers in groupby(found, key=lambda answer: answer[0])
        }

    def _questions(self, ids: set[int]) -> dict[int, tuple[int, dict]]:
        """Question id → (its position, its representation), each question once."""
        if not ids:
            return {}
        found = ProgrammeQuestion.objects.filter(pk__in=ids).values(
            "id", "position", "kind", "required", *_QUESTION_TEXT.values()
        )
        questions = {}
        for question in found:
            texts = {code: question[column] or None for code, column in _QUESTION_TEXT.items()}
            text, fallback = in_language(texts, self.language)
            shown = {
                "id": question["id"],
                "text": text,
                "kind": question["kind"],
                "required": question["required"],
            }
            if self.language is not None:
                shown["fallback_languages"] = {"text": fallback} if fallback else {}
            questions[question["id"]] = (question["position"], shown)
        return questions

    @staticmethod
    def _history(ids: list[int]) -> dict[int, list[dict]]:
        if not ids:
            return {}
        found = (
            ApplicationEvent.objects.filter(application_id__in=ids)
            .order_by("application_id", "at", "pk")
            .values_list("application_id", "at", "verb", "from_state", "to_state")
        )
        return {
            application: [
                {"at": iso(at), "action": verb, "from_state": source, "to_state": target}
                for _app, at, verb, source, target in events
            ]
            for application, events in groupby(found, key=lambda event: event[0])
        }
