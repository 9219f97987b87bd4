from django import forms
from django.db.models.fields.files import FieldFile
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from alliance.forms import announce_limits, mark_needed
from cities.models import City
from exchanges.models import Application, Need, ProgrammeQuestion, QuestionKind
from startups.models import Sector


class ProgrammeFilterForm(forms.Form):
    city = forms.ModelChoiceField(
        label=_("Host city"),
        queryset=City.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All cities"),
    )
    sector = forms.ChoiceField(
        label=_("Sector"), choices=[("", _("All sectors")), *Sector.choices], required=False
    )
    open = forms.BooleanField(label=_("Open for applications now"), required=False)


YES_NO = [("yes", _("yes")), ("no", _("no"))]


def question_field(question: ProgrammeQuestion) -> forms.Field:
    """The form field that asks `question` (never required here: submitting checks that)."""
    label = str(question.text)
    common = {"label": label, "required": False}
    match question.kind:
        case QuestionKind.LONG_TEXT:
            return forms.CharField(
                widget=forms.Textarea(attrs={"rows": 4}), max_length=3000, **common
            )
        case QuestionKind.CHOICE:
            options = [line.strip() for line in question.choices.splitlines() if line.strip()]
            return forms.ChoiceField(choices=[("", "—"), *[(o, o) for o in options]], **common)
        case QuestionKind.YES_NO:
            return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **common)
        case QuestionKind.DATE:
            return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        case QuestionKind.NUMBER:
            return forms.DecimalField(max_digits=12, decimal_places=2, **common)
        case _:
            return forms.CharField(max_length=300, **common)


class ShownFile:
    """A stored file as the form shows it: under the uploader's own name."""

    def __init__(self, file: FieldFile, name: str) -> None:
        self.file = file
        self.url = file.url
        self.name = name

    def __str__(self) -> str:
        return self.name


class PitchDeckInput(forms.ClearableFileInput):
    """The file input that says "Currently: orbit-deck.pdf", not the generated name."""

    shown_name = ""

    def format_value(self, value):
        if self.is_initial(value):
            return ShownFile(value, self.shown_name or _("your pitch deck"))
        return super().format_value(value)


class ApplicationForm(forms.ModelForm):
    needs = forms.MultipleChoiceField(
        label=_("What do you need in the host city?"),
        choices=[(need.value, capfirst(need.label)) for need in Need],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Application
        fields = ["motivation", "goals", "needs", "pitch_deck"]
        widgets = {
            "motivation": forms.Textarea(attrs={"rows": 5, "maxlength": 3000}),
            "goals": forms.Textarea(attrs={"rows": 5, "maxlength": 3000}),
            "pitch_deck": PitchDeckInput(attrs={"accept": "application/pdf"}),
        }
        labels = {
            "motivation": _("Why do you want to take part?"),
            "goals": _("What do you want to reach in the market?"),
        }

    def __init__(self, *args, questions=(), answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        answers = answers or {}
        self.questions = list(questions)
        for question in self.questions:
            name = f"question_{question.pk}"
            self.fields[name] = question_field(question)
            self.initial.setdefault(name, answers.get(question.pk, ""))
            if question.required:
                mark_needed(self.fields[name])
        # What a submission needs is marked, though a draft may leave it empty.
        mark_needed(self.fields["motivation"])
        mark_needed(self.fields["goals"])
        if self.instance.programme.requires_pitch_deck:
            mark_needed(self.fields["pitch_deck"])
        self.fields["pitch_deck"].widget.shown_name = self.instance.pitch_deck_filename
        announce_limits(self)

    def answers(self) -> dict[int, str]:
        """The answers as text, by question id."""
        values = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"question_{question.pk}")
            values[question.pk] = "" if value in (None, "") else str(value)
        return values

    def draft_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def show_problems(self, problems) -> None:
        """Put each refusal of a submission next to its field (or above the form)."""
        for problem in problems:
            self.add_error(problem.field if problem.field in self.fields else None, problem.message)


class SubmitForm(forms.Form):
    consent = forms.BooleanField(required=False)

    def __init__(self, *args, consent_text: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = consent_text
        mark_needed(self.fields["consent"])
