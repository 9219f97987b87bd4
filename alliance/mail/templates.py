"""Staff-editable email templates: defaults from files, safe placeholders, never overwritten.

A template's text may contain only `{{ name }}` placeholders from its own list: no
attributes, no filters, no tags. They are filled from a flat dictionary of strings.
"""

import re
from collections.abc import Mapping
from pathlib import Path

from django.conf import settings
from django.template.loader import get_template
from django.utils import translation
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

PLACEHOLDER = re.compile(r"{{\s*([A-Za-z_][A-Za-z0-9_]*)\s*}}")
ANY_TAG = re.compile(r"{%|{{|}}|%}|{#|#}")
# Account emails stay in files: they carry login links and are never shown to staff.
EDITABLE_APPS = ("exchanges", "startups", "cities")


def placeholder_problems(text: str, allowed: set[str]) -> list[str]:
    """What is wrong with the placeholders of `text` (each problem one message)."""
    problems = []
    remainder = PLACEHOLDER.sub("", text)
    if ANY_TAG.search(remainder):
        problems.append(
            _("Only placeholders like {{ startup }} are allowed: no tags, filters or dots.")
        )
    unknown = sorted(set(PLACEHOLDER.findall(text)) - allowed)
    if unknown:
        problems.append(
            _("Unknown placeholders: %(names)s. Available: %(allowed)s.")
            % {"names": ", ".join(unknown), "allowed": ", ".join(sorted(allowed))}
        )
    return problems


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace each {{ name }} by its value (plain text; escaping is the layout's job)."""
    return PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), "")), text)


def default_keys() -> list[str]:
    """Every email that ships as files and staff may edit."""
    keys = []
    for app in EDITABLE_APPS:
        folder = Path(settings.BASE_DIR) / "templates" / app / "email"
        keys += sorted(
            f"{app}/email/{p.name.removesuffix('.subject.txt')}"
            for p in folder.glob("*.subject.txt")
        )
    return keys


def file_placeholders(key: str) -> list[str]:
    """The placeholders a default file uses."""
    names = set()
    for suffix in (".subject.txt", ".txt"):
        source = (Path(settings.BASE_DIR) / "templates" / f"{key}{suffix}").read_text()
        names |= set(re.findall(r"{{\s*(\w+)\s*}}", source))
    return sorted(names)


def one_line(text: str) -> str:
    """`text` on one line: runs of ASCII white space (a template's line breaks) become one
    space; a no-break space (French puts one before a colon) stays."""
    return re.sub(r"[ \t\r\n\f\v]+", " ", text).strip()


def file_default(key: str, language: str) -> tuple[str, str]:
    """Subject and text of the file default in `language`, with placeholders kept."""
    keep = {name: "{{ " + name + " }}" for name in file_placeholders(key)}
    with translation.override(language):
        subject = one_line(get_template(f"{key}.subject.txt").render(keep))
        body = get_template(f"{key}.txt").render(keep).strip()
    return subject, body


def sync_defaults(*, reset: list[str] | None = None) -> int:
    """Create missing templates from the files; refresh those staff did not edit.

    Keys in `reset` go back to the defaults even if staff edited them.
    """
    from alliance.mail.models import EmailTemplate  # noqa: PLC0415 - models imports this module

    changed = 0
    for key in default_keys():
        template = EmailTemplate.objects.filter(key=key).first() or EmailTemplate(key=key)
        if template.pk and template.customised and key not in (reset or []):
            continue
        before = [
            getattr(template, build_localized_fieldname(f, code))
            for f in ("subject", "body")
            for code, _n in settings.LANGUAGES
        ]
        for code, _name in settings.LANGUAGES:
            subject, body = file_default(key, code)
            setattr(template, build_localized_fieldname("subject", code), subject)
            setattr(template, build_localized_fieldname("body", code), body)
        template.placeholders = " ".join(file_placeholders(key))
        template.customised = False
        after = [
            getattr(template, build_localized_fieldname(f, code))
            for f in ("subject", "body")
            for code, _n in settings.LANGUAGES
        ]
        if template.pk is None or before != after:
            template.save()
            changed += 1
    return changed
