"""The network map as a person sees it: readable labels that never overlap, at every width."""

import pytest
from playwright.sync_api import Page, expect

from cities.services import load_network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Measured in the page: the drawing shown, its smallest label in CSS pixels, the label
# boxes that overlap, those outside their panel, and whether the map fits the page's width.
MEASURE = """() => {
  const shown = [...document.querySelectorAll('.network-map .map-svg')]
    .filter(svg => getComputedStyle(svg).display !== 'none');
  const svg = shown[0];
  const texts = [...svg.querySelectorAll('text')];
  const scale = svg.getScreenCTM().a;
  const boxes = texts.map(text => text.getBoundingClientRect());
  const overlaps = [];
  boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b, j) => {
    if (a.right > b.left && b.right > a.left && a.bottom > b.top && b.bottom > a.top) {
      overlaps.push([texts[i].textContent, texts[i + 1 + j].textContent]);
    }
  }));
  const outside = texts.filter(text => {
    const panel = text.closest('.map-panel').querySelector('.map-border').getBoundingClientRect();
    const box = text.getBoundingClientRect();
    return box.left < panel.left || box.right > panel.right
      || box.top < panel.top || box.bottom > panel.bottom;
  }).map(text => text.textContent);
  return {
    shown: shown.map(s => s.classList[1]),
    outside,
    smallest: Math.min(...texts.map(t => parseFloat(getComputedStyle(t).fontSize) * scale)),
    overlaps,
    labels: texts.length,
    fits: svg.getBoundingClientRect().right <= document.documentElement.clientWidth,
  };
}"""


@pytest.mark.parametrize(
    ("width", "language", "drawing"),
    [
        (320, "en", "map-narrow"),
        (390, "de", "map-narrow"),
        (767, "en", "map-narrow"),
        (768, "de", "map-wide"),
        (1280, "en", "map-wide"),
        (1440, "de", "map-wide"),
    ],
)
def test_map_labels_are_readable_and_apart(live_server, page: Page, width, language, drawing):
    load_network()
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(f"{live_server.url}/{language}/")

    measured = page.evaluate(MEASURE)
    assert measured["shown"] == [drawing]
    assert measured["labels"] == 11  # ten cities and the inset's title
    assert measured["smallest"] >= 11, measured
    assert measured["overlaps"] == []
    assert measured["outside"] == []  # every label within its panel
    assert measured["fits"]


def test_map_has_a_text_list_for_screen_readers(live_server, page: Page):
    load_network()

    page.goto(f"{live_server.url}/de/")

    for svg in page.locator(".network-map svg").all():
        expect(svg).to_have_attribute("aria-hidden", "true")
    items = page.locator(".network-map .map-text li")
    expect(items).to_have_count(10)
    expect(items.first).to_have_text("Berlin (Drehkreuz)")
    text = page.locator(".network-map .map-text p")
    expect(text).to_contain_text("Karte des Start-Alliance-Netzwerks: 10 Städte")
