"""Reviews in the admin: the criteria of a programme, a reviewer's queue and form."""

from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationTabularInline

from exchanges.models import ReviewCriterion


class CriterionInline(TranslationTabularInline):
    model = ReviewCriterion
    extra = 0
    fields = ("position", "name", "weight")
    verbose_name_plural = _("review criteria (none: the network's defaults)")
