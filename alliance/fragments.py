"""Rendered page fragments, cached under a key made from everything they show.

A fragment's key is a digest of its inputs: the rows it renders (every column of them,
all languages, as they were read for this very request), the viewer's language and time
zone, whatever else the caller names (a call's state, which depends on the time), and the
code that renders it (the template's source, the tag libraries it loads, the formats).
A change to any of them, made by the admin, a loader, a queryset `update()` or raw SQL, in
this process or another, makes a new key: a cached fragment is never stale, and needs no
invalidation. Old entries are left to expire (`FRAGMENT_CACHE_SECONDS`).

The cache is an optimisation only: if it fails (Redis down, a missing cache table), the
fragment is rendered as if it were not cached. The Redis cache answers from this
process's memory during an outage (alliance/cache.py), which is still correct here since
the keys name the content.
"""

import functools
import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.template import engines
from django.template.backends.django import get_installed_libraries
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

PREFIX = "fragment"
LOAD = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")
INCLUDE = re.compile(r"""{%\s*include\s+["']([^"']+)["']""")


def row_state(obj: object) -> tuple:
    """Every loaded column and annotation of a model instance, in a stable order."""
    return tuple(sorted((k, v) for k, v in vars(obj).items() if not k.startswith("_")))


@functools.cache
def code_version(template_name: str, files: tuple[str, ...] = ()) -> str:
    """A digest of the template, the templates it includes, the tag libraries they load.

    `files` names more sources the fragment is made from (a module laying it out, data).
    """
    engine = engines["django"].engine
    libraries = get_installed_libraries()
    digest = hashlib.sha256()
    seen: set[str] = set()
    pending = [template_name]
    modules: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        source = engine.find_template(name)[0].source
        digest.update(source.encode())
        for load in LOAD.findall(source):
            modules.update(libraries[lib] for lib in load.split() if lib in libraries)
        pending.extend(INCLUDE.findall(source))
    formats = getattr(settings, "FORMAT_MODULE_PATH", None) or []
    modules.update([formats] if isinstance(formats, str) else formats)
    for module in sorted(modules):
        path = getattr(import_module(module), "__file__", None)
        if path:
            for file in (
                sorted(Path(path).parent.glob("**/*.py"))
                if path.endswith("__init__.py")
                else [Path(path)]
            ):
                digest.update(file.read_bytes())
    for file in files:
        digest.update(Path(file).read_bytes())
    return digest.hexdigest()[:16]


def fragment_key(
    template_name: str, parts: Sequence[object], *, user=None, files: tuple[str, ...] = ()
) -> str:
    """The cache key of `template_name` rendered from `parts` for this request's viewer."""
    zone = getattr(user, "time_zone", "") if getattr(user, "is_authenticated", False) else ""
    viewer = (get_language(), timezone.get_current_timezone_name(), zone)
    digest = hashlib.sha256(repr((viewer, tuple(parts))).encode()).hexdigest()
    return f"{PREFIX}:{code_version(template_name, files)}:{digest}"


def cached_fragments(
    template_name: str,
    items: Sequence[tuple[Sequence[object], Callable[[], str]]],
    *,
    user=None,
    files: tuple[str, ...] = (),
) -> list[SafeString]:
    """Each item's fragment (its key parts, how to render it), from the cache where held."""
    keys = [fragment_key(template_name, parts, user=user, files=files) for parts, _render in items]
    try:
        found = cache.get_many(keys) if keys else {}
    except Exception:  # noqa: BLE001 - any cache failure: render everything
        logger.warning("The fragment cache could not be read; rendering without it.")
        found = {}
    fragments, missing = [], {}
    for key, (_parts, render) in zip(keys, items, strict=True):
        if key not in found:
            found[key] = missing[key] = str(render())
        fragments.append(mark_safe(found[key]))  # noqa: S308 - rendered by our templates
    if missing:
        try:
            cache.set_many(missing, timeout=settings.FRAGMENT_CACHE_SECONDS)
        except Exception:  # noqa: BLE001 - a fragment not kept is rendered again next time
            logger.warning("The fragment cache could not be written.")
    return fragments


def cached_html(
    template_name: str,
    parts: Sequence[object],
    render: Callable[[], str],
    *,
    user=None,
    files: tuple[str, ...] = (),
) -> SafeString:
    """One fragment: from the cache under `parts`, else `render()`ed (and kept)."""
    return cached_fragments(template_name, [(parts, render)], user=user, files=files)[0]
