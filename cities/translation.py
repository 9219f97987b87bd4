from modeltranslation.translator import TranslationOptions, register

from cities.models import City, Contact, CooperationAgreement, PartnerOrganisation


@register(City)
class CityTranslationOptions(TranslationOptions):
    fields = ("name", "description")
    required_languages = {"en": ("name",), "default": ()}


@register(PartnerOrganisation)
class PartnerOrganisationTranslationOptions(TranslationOptions):
    fields = ("description",)


@register(Contact)
class ContactTranslationOptions(TranslationOptions):
    fields = ("position",)


@register(CooperationAgreement)
class CooperationAgreementTranslationOptions(TranslationOptions):
    fields = ("summary",)
