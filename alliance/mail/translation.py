from modeltranslation.translator import TranslationOptions, register

from alliance.mail.models import EmailTemplate


@register(EmailTemplate)
class EmailTemplateTranslationOptions(TranslationOptions):
    fields = ("subject", "body")
    required_languages = {"en": ("subject", "body"), "default": ()}
