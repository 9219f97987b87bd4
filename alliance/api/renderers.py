"""A faster JSON renderer for the API's large pages (the partner feed: 100 applications)."""

import orjson
from rest_framework.renderers import JSONRenderer


class FastJSONRenderer(JSONRenderer):
    """orjson instead of the standard library: compact UTF-8 like DRF's own renderer
    (`ensure_ascii=False`, no spaces), several times faster on a page of a hundred rows.
    For data already made of JSON types (pages.Page builds strings for times); a lazy
    translation string becomes its text."""

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return orjson.dumps(data, default=str)
