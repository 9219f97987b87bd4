"""Exchange programmes, applications to them and the applications' state machine.

One module per aggregate; everything is importable from `exchanges.models` as before.
"""

from exchanges.models.application import (
    DECIDABLE,
    SEAT_STATES,
    STAGEABLE,
    TRANSITIONS,
    Actor,
    Answer,
    Application,
    ApplicationEvent,
    ApplicationQuerySet,
    GeneratedNameFileField,
    Need,
    State,
    TransitionRule,
    Verb,
)
from exchanges.models.programme import (
    ExchangeProgramme,
    ProgrammeFormat,
    ProgrammeQuerySet,
    ProgrammeQuestion,
    ProgrammeStatus,
    QuestionKind,
)
from exchanges.models.review import (
    MAX_SCORE,
    MIN_SCORE,
    Recommendation,
    Review,
    ReviewCriterion,
    Score,
    Verdict,
)

__all__ = [
    "DECIDABLE",
    "MAX_SCORE",
    "MIN_SCORE",
    "SEAT_STATES",
    "STAGEABLE",
    "TRANSITIONS",
    "Actor",
    "Answer",
    "Application",
    "ApplicationEvent",
    "ApplicationQuerySet",
    "ExchangeProgramme",
    "GeneratedNameFileField",
    "Need",
    "ProgrammeFormat",
    "ProgrammeQuerySet",
    "ProgrammeQuestion",
    "ProgrammeStatus",
    "QuestionKind",
    "Recommendation",
    "Review",
    "ReviewCriterion",
    "Score",
    "State",
    "TransitionRule",
    "Verb",
    "Verdict",
]
