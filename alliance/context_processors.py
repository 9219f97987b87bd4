import functools

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info


def site(request: HttpRequest) -> dict[str, object]:
    """Give every template the language switcher's links for the current page."""
    current = get_language()
    path = request.get_full_path()
    languages = []
    for code, _name in settings.LANGUAGES:
        url = _translated(path, code, current)
        if url == path and code != current:
            url = f"/{code}/"  # a page that does not resolve (an error page): go home
        languages.append(
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": url,
                "current": code == current,
            }
        )
    return {"language_links": languages}


@functools.lru_cache(maxsize=4096)
def _translated(path: str, code: str, current: str) -> str:
    """`path`, read in language `current`, in language `code`: the URLconf's answer, the
    same every time (resolving and reversing it for seven languages on every page is a
    good part of a cached page's work). Bounded, so paths made up by visitors cannot fill
    the memory."""
    return translate_url(path, code)


@receiver(setting_changed)
def _forget_translations(*, setting: str, **kwargs) -> None:
    if setting in {"ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE"}:
        _translated.cache_clear()
