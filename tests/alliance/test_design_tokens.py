"""Issue 15 (15): every text/background pair of the design tokens meets WCAG AA, in the
light and the dark scheme, computed from static/css/site.css as it is shipped."""

import re
from pathlib import Path

import pytest

SITE_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "site.css"

TEXT = 4.5  # WCAG 2.2 AA, 1.4.3: normal text
UI = 3.0  # 1.4.11: the borders that show where a control is

# (foreground token, background token, minimum): every pairing the stylesheet uses.
PAIRS = [
    ("--color-text", "--color-bg", TEXT),
    ("--color-text", "--color-surface", TEXT),
    ("--color-text", "--color-surface-alt", TEXT),
    ("--color-text-muted", "--color-bg", TEXT),
    ("--color-text-muted", "--color-surface", TEXT),
    ("--color-text-muted", "--color-surface-alt", TEXT),
    ("--color-link", "--color-bg", TEXT),
    ("--color-link", "--color-surface", TEXT),
    ("--color-link", "--color-surface-alt", TEXT),
    ("--color-link-hover", "--color-bg", TEXT),
    ("--color-link-hover", "--color-surface-alt", TEXT),
    ("--color-text", "--color-header-bg", TEXT),
    ("--color-on-brand", "--color-brand", TEXT),
    ("--color-on-brand", "--color-brand-hover", TEXT),
    ("--color-on-brand", "--color-brand-active", TEXT),
    ("--color-footer-text", "--color-footer-bg", TEXT),
    ("--color-footer-link", "--color-footer-bg", TEXT),
    ("--color-done", "--color-bg", TEXT),
    ("--color-done", "--color-surface", TEXT),
    ("--color-error-ink", "--color-bg", TEXT),
    ("--color-error-ink", "--color-surface", TEXT),
    ("--color-error-ink", "--color-surface-alt", TEXT),
    ("--color-done", "--color-surface-alt", TEXT),
    ("--color-focus", "--color-bg", UI),
    ("--color-border-strong", "--color-bg", UI),
    ("--color-border-strong", "--color-surface", UI),
    ("--color-error", "--color-bg", UI),
    ("--color-brand", "--color-bg", UI),
    *[
        (fg, f"--color-{signal}-bg", TEXT)
        for signal in ("error", "warning", "success", "info")
        for fg in ("--color-text", "--color-text-muted", "--color-link", "--color-error-ink")
    ],
    *[
        (f"--color-{signal}", f"--color-{signal}-bg", UI)
        for signal in ("error", "warning", "success", "info")
    ],
    *[
        (f"--badge-{kind}-text", f"--badge-{kind}-bg", TEXT)
        for kind in ("neutral", "muted", "brand", "success", "warning", "info", "danger")
    ],
]


def declarations(block: str) -> dict[str, str]:
    return dict(re.findall(r"(--[\w-]+):\s*([^;]+);", block))


def schemes() -> dict[str, dict[str, str]]:
    """The light tokens (the first :root block) and the dark ones laid over them."""
    css = re.sub(r"/\*.*?\*/", "", SITE_CSS.read_text(), flags=re.DOTALL)
    light = declarations(re.search(r":root\s*\{(.*?)\}", css, re.DOTALL).group(1))
    dark_block = re.search(
        r"@media \(prefers-color-scheme: dark\)\s*\{\s*:root\s*\{(.*?)\}", css, re.DOTALL
    ).group(1)
    return {"light": light, "dark": {**light, **declarations(dark_block)}}


def resolve(tokens: dict[str, str], name: str) -> str:
    value = tokens[name].strip()
    while match := re.fullmatch(r"var\((--[\w-]+)\)", value):
        value = tokens[match.group(1)].strip()
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", value), f"{name} is not a #rrggbb colour: {value}"
    return value


def luminance(colour: str) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast(a: str, b: str) -> float:
    lighter, darker = sorted((luminance(a), luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_is_computed_as_wcag_defines_it():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast("#e2001a", "#ffffff") == pytest.approx(4.94, abs=0.01)


def test_the_brand_red_is_berlin_partners():
    assert resolve(schemes()["light"], "--color-brand") == "#e2001a"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_pair_of_tokens_meets_wcag_aa(scheme):
    tokens = schemes()[scheme]

    failing = [
        f"{fg} on {bg}: {ratio:.2f} < {minimum}"
        for fg, bg, minimum in PAIRS
        if (ratio := contrast(resolve(tokens, fg), resolve(tokens, bg))) < minimum
    ]

    assert failing == []


def test_dark_is_dark_and_light_is_light():
    light, dark = schemes()["light"], schemes()["dark"]

    assert luminance(resolve(light, "--color-bg")) > 0.9
    assert luminance(resolve(dark, "--color-bg")) < 0.02
    assert luminance(resolve(dark, "--color-text")) > 0.8
