from modeltranslation.translator import TranslationOptions, register

from exchanges.models import ExchangeProgramme, ProgrammeQuestion, ReviewCriterion


@register(ExchangeProgramme)
class ExchangeProgrammeTranslationOptions(TranslationOptions):
    fields = ("title", "summary", "description", "benefits")
    required_languages = {"en": ("title", "summary"), "default": ()}


@register(ProgrammeQuestion)
class ProgrammeQuestionTranslationOptions(TranslationOptions):
    fields = ("text",)
    required_languages = {"en": ("text",), "default": ()}


@register(ReviewCriterion)
class ReviewCriterionTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = {"en": ("name",), "default": ()}
