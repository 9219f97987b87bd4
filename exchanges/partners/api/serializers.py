"""Applications as a partner organisation sees them, and the tombstones of those it no longer
may see. No staff names, no staff comments, no pending decisions or ranks.

These declare the representation (the schema and the docs are made from them); the list
and the detail build it with `pages.Page`, and a test holds both to the same fields.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alliance.api.languages import TranslatedField, TranslatedModelSerializer
from exchanges.models import Answer, Application, ApplicationEvent, ProgrammeQuestion
from exchanges.partners import pitch_decks
from exchanges.partners.api.pages import STARTUP_FIELDS
from startups.models import Startup


class StartupSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Startup
        fields = list(STARTUP_FIELDS)  # as pages.Page builds them


class QuestionSerializer(TranslatedModelSerializer):
    text = TranslatedField()

    class Meta:
        model = ProgrammeQuestion
        fields = ["id", "text", "kind", "required", "fallback_languages"]


class AnswerSerializer(serializers.ModelSerializer):
    question = QuestionSerializer()

    class Meta:
        model = Answer
        fields = ["question", "value"]


class HistorySerializer(serializers.ModelSerializer):
    action = serializers.CharField(source="verb")

    class Meta:
        model = ApplicationEvent
        fields = ["at", "action", "from_state", "to_state"]


class ProgrammeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()


class ConsentSerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="consent_at")
    wording = serializers.CharField(source="consent_text")


class PitchDeckSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="A download link; it stops working at `expires_at`.")
    expires_at = serializers.DateTimeField()


class ApplicationSerializer(serializers.ModelSerializer):
    removed = serializers.SerializerMethodField()
    programme = ProgrammeRefSerializer()
    startup = StartupSerializer()
    needs = serializers.ListField(child=serializers.CharField())
    answers = AnswerSerializer(many=True)
    history = HistorySerializer(many=True, source="events")
    consent = ConsentSerializer(source="*")
    pitch_deck = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "removed",
            "programme",
            "state",
            "startup",
            "motivation",
            "goals",
            "needs",
            "answers",
            "consent",
            "pitch_deck",
            "history",
            "submitted_at",
            "decided_at",
            "confirm_by",
            "updated_at",
        ]

    def get_removed(self, application) -> bool:
        return False

    @extend_schema_field(PitchDeckSerializer(allow_null=True))
    def get_pitch_deck(self, application):
        if not application.pitch_deck:
            return None
        key, request = self.context["key"], self.context["request"]
        return pitch_decks.link(
            application.pitch_deck.name,
            application.pk,
            key.organisation_id,
            request.build_absolute_uri,
        )


class TombstoneSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="application_ref")
    removed = serializers.BooleanField(default=True, help_text="Always true: delete your copy.")
    at = serializers.DateTimeField(source="removed_at")

    def to_representation(self, share):
        return {**super().to_representation(share), "removed": True}
