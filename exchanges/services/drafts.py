"""A team's drafts: start one, fill it in, delete it (a submitted one is withdrawn)."""

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from alliance.accounts.models import User
from alliance.errors import DomainError
from alliance.uploads import shown_file_name
from exchanges.access import may_decide
from exchanges.models import Answer, Application, ExchangeProgramme, State
from exchanges.rules import call_problems, require_member
from exchanges.services._mover import lock, refresh
from startups.models import Startup

DRAFT_FIELDS = ("motivation", "goals", "needs", "pitch_deck")


@transaction.atomic
def start_application(programme: ExchangeProgramme, *, startup: Startup, by: User) -> Application:
    """Create a draft application of `startup` to `programme`."""
    require_member(startup, by)
    problems = call_problems(programme, now=timezone.now())
    if problems:
        raise DomainError("call_closed", problems)
    already = DomainError(
        "already_applied", gettext_lazy("This start-up has already applied to this programme.")
    )
    if Application.objects.filter(programme=programme, startup=startup).exists():
        raise already
    try:
        with transaction.atomic():  # two clicks at once: the database keeps one
            return Application.objects.create(programme=programme, startup=startup, created_by=by)
    except IntegrityError as error:
        raise already from error


@transaction.atomic
def update_draft(
    application: Application, *, by: User, fields: dict, answers: dict[int, str]
) -> Application:
    """Save a draft's texts, needs, pitch deck and answers; only the team edits drafts."""
    require_member(application.startup, by)
    locked = lock(application)
    if locked.state != State.DRAFT:
        raise DomainError("not_draft", gettext_lazy("Only a draft can be changed."))
    old_deck = locked.pitch_deck.name
    changed = [name for name in DRAFT_FIELDS if name in fields]
    for name in changed:
        # A cleared file input arrives as False: no pitch deck.
        setattr(locked, name, fields[name] if fields[name] is not False else None)
    if "pitch_deck" in fields:
        # A new upload brings its own name (shown to the team), a cleared one none.
        deck = fields["pitch_deck"]
        if isinstance(deck, UploadedFile):
            locked.pitch_deck_filename = shown_file_name(deck.name)
        elif not deck:
            locked.pitch_deck_filename = ""
        changed.append("pitch_deck_filename")
    locked.updated_at = timezone.now()
    locked.save(update_fields=[*changed, "updated_at"])
    if old_deck and old_deck != locked.pitch_deck.name:
        _delete_file_on_commit(locked.pitch_deck.storage, old_deck)
    questions = set(locked.programme.questions.values_list("pk", flat=True))
    Answer.objects.bulk_create(
        [
            Answer(application=locked, question_id=question_id, value=value)
            for question_id, value in answers.items()
            if question_id in questions
        ],
        update_conflicts=True,
        unique_fields=["application", "question"],
        update_fields=["value"],
    )
    return refresh(application, locked)


def _delete_file_on_commit(storage, name: str) -> None:
    """Remove a replaced or deleted upload once the change is committed: no orphans."""
    transaction.on_commit(lambda: storage.delete(name), robust=True)


@transaction.atomic
def delete_draft(application: Application, *, by: User) -> None:
    """Delete a draft, as one of its team or of the programme's deciders (in the admin)."""
    if not may_decide(by, application.programme):
        require_member(application.startup, by)
    locked = lock(application)
    if locked.state != State.DRAFT:
        raise DomainError("not_draft", gettext_lazy("Only a draft can be deleted."))
    if locked.pitch_deck:
        _delete_file_on_commit(locked.pitch_deck.storage, locked.pitch_deck.name)
    locked.delete()
