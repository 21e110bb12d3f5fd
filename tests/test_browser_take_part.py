"""Issue 19 in Chromium: "Can I take part?" near the top, every place reachable (with and without
JavaScript), the page on paper (Chromium's PDF, text read with pypdf), and phone comfort: a one-row
header, the first home card on the first screen, 24 px tap targets, links that wrap at / and .,
and a cited sentence that is not hidden when a reader follows a citation back."""
from __future__ import annotations

import io
import re
import unicodedata

import pytest
import yaml
from playwright.sync_api import expect

import browser_helpers
from browser_helpers import TRIAL_PATH, axe_violations, format_axe
from project import ROOT, TRIAL, build_in_process, make_project

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}
COUNTRIES = ["France", "Germany", "Spain", "Italy", "Poland", "Korea, Republic of", "United States", "Viet Nam",
             "Czech Republic", "Brazil", "Japan", "Canada"]
PLACE_COUNT = 300


def place_name(i: int) -> str:
    return f"Clinic number {i:03d}"


@pytest.fixture(scope="module")
def many_places(tmp_path_factory, serve_dir):
    """A trial with 300 generated places in 12 countries (25 each, in 5 cities), some with contacts."""
    lines = ["locations:"]
    for i in range(PLACE_COUNT):
        country = COUNTRIES[i % len(COUNTRIES)]
        lines += [f"  - facility: {place_name(i)}", f"    city: Town {i % 5} of {country.split(',')[0]}",
                  f"    country: \"{country}\"", "    status: recruiting"]
        if i % 50 == 0:
            lines.append(f"    contacts: [{{name: Nurse {i}, phone: \"+1 555 01{i:02d}\"}}]")
    project = make_project(tmp_path_factory.mktemp("places"), {
        "content/trials/small-trial/trial.yaml": TRIAL + "\n".join(lines) + "\n"})
    code, out = build_in_process(project)
    assert code == 0, out
    return serve_dir(project / "site") + "/trials/small-trial/index.html"


def open_page(browser, url, viewport=PHONE, **options):
    return browser_helpers.open_page(browser, url, viewport, **options)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_can_i_take_part_is_within_the_first_screen_and_a_half(browser, example_site_url, viewport, scheme):
    context, page = open_page(browser, example_site_url + TRIAL_PATH + "index.html", viewport, color_scheme=scheme)
    try:
        block = page.locator("#take-part")
        expect(block.locator("h2")).to_have_text("Can I take part?")
        answer = block.locator(".answer").bounding_box()
        assert answer["y"] + answer["height"] <= 1.5 * viewport["height"], answer
        first_step = block.locator(".take-part-first-step").bounding_box()
        assert first_step["y"] < 2 * viewport["height"], first_step
        assert axe_violations(page) == [], format_axe(axe_violations(page))
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_header_is_one_row_on_a_phone_and_its_menu_works_without_javascript(browser, serve_dir, tmp_path, language):
    project = tmp_path / "two"
    import shutil
    shutil.copytree(ROOT / "tests/fixtures/two-languages", project)
    code, out = build_in_process(project)
    assert code == 0, out
    prefix = "" if language == "en" else "fr/"
    context, page = open_page(browser, serve_dir(project / "site") + f"/{prefix}index.html", PHONE,
                              java_script_enabled=False)
    try:
        header = page.locator(".site-header").bounding_box()
        name = page.locator(".site-name").bounding_box()
        menu = page.locator(".site-menu > summary").bounding_box()
        assert header["height"] <= 70, header  # one row: the site's name and the menu button side by side
        assert abs((name["y"] + name["height"] / 2) - (menu["y"] + menu["height"] / 2)) < 8, (name, menu)
        assert menu["x"] + menu["width"] <= PHONE["width"]
        links = page.locator(".site-menu nav[aria-label] a").first
        expect(links).to_be_hidden()
        page.locator(".site-menu > summary").click()
        expect(links).to_be_visible()
        page.locator(".site-menu .languages a").first.wait_for()
        page.locator(".site-menu nav a").nth(3).click()  # the word list
        page.wait_for_url("**/glossary/index.html")
    finally:
        context.close()


def test_desktop_menu_is_open_without_a_button(browser, example_site_url):
    context, page = open_page(browser, example_site_url + "/index.html", DESKTOP)
    try:
        expect(page.locator(".site-menu > summary")).to_be_hidden()
        expect(page.get_by_role("link", name="Word list")).to_be_visible()
        assert page.locator(".site-header").bounding_box()["height"] <= 70
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_first_home_card_is_on_the_first_screen(browser, example_site_url, viewport):
    context, page = open_page(browser, example_site_url + "/index.html", viewport)
    try:
        card = page.locator(".card").first.bounding_box()
        title = page.locator(".card h3").first.bounding_box()
        assert title["y"] + title["height"] <= viewport["height"], card
        # few trials: the choices are folded, the illness links come after the list
        expect(page.locator("#filters")).not_to_have_attribute("open", "")
        assert page.locator(".browse").bounding_box()["y"] > card["y"]
        page.locator("#filters > summary").click()
        expect(page.locator("#filter-condition")).to_be_visible()
    finally:
        context.close()


TARGETS = """() => {
  const seen = [];
  for (const e of document.querySelectorAll('a[href], button, summary, input, select')) {
    const r = e.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(e).visibility === 'hidden') continue;
    // WCAG 2.5.8 lets a link inside a sentence be as tall as its line; citation links are not let off.
    const block = e.closest('p, li, dd, td');
    const inline = e.tagName === 'A' && !e.classList.contains('cite-ref') && block &&
      block.textContent.trim().length > e.textContent.trim().length + 20 && getComputedStyle(e).display === 'inline';
    seen.push({what: e.outerHTML.slice(0, 80), x: r.x, y: r.y, w: r.width, h: r.height, inline,
               cite: e.classList.contains('cite-ref')});
  }
  return seen;
}"""


def too_small(targets):
    """Targets under 24 x 24 px whose 24 px circle would touch another target (WCAG 2.2, 2.5.8)."""
    small = []
    for t in targets:
        if t["inline"] or (t["w"] >= 24 and t["h"] >= 24):
            continue
        cx, cy = t["x"] + t["w"] / 2, t["y"] + t["h"] / 2
        for other in targets:
            if other is t:
                continue
            dx = max(other["x"] - cx, 0, cx - (other["x"] + other["w"]))
            dy = max(other["y"] - cy, 0, cy - (other["y"] + other["h"]))
            if (dx * dx + dy * dy) ** .5 < 12:
                small.append((t["what"], t["w"], t["h"], other["what"]))
                break
        else:
            if t["cite"]:
                small.append((t["what"], t["w"], t["h"], "citation links must be 24 x 24"))
    return small


@pytest.mark.parametrize("path", ["/index.html", TRIAL_PATH + "index.html", "/glossary/index.html",
                                  "/conditions/index.html", "/conditions/myositis/index.html", "/404.html"])
def test_every_link_and_button_is_big_enough_to_tap(browser, example_site_url, path):
    context, page = open_page(browser, example_site_url + path, PHONE)
    try:
        targets = page.evaluate(TARGETS)
        assert len(targets) > 5
        if "trials/" in path:
            cites = [t for t in targets if t["cite"]]
            assert cites and all(t["w"] >= 24 and t["h"] >= 24 for t in cites), cites[:3]
        assert too_small(targets) == []
    finally:
        context.close()


def test_many_places_every_name_on_the_page_and_targets_big_enough(browser, many_places):
    context, page = open_page(browser, many_places, PHONE)
    try:
        text = page.locator("#places").inner_text() + page.content()
        missing = [place_name(i) for i in range(PLACE_COUNT) if place_name(i) not in text]
        assert missing == []
        expect(page.locator("#places details.country")).to_have_count(12)
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
        # closed countries keep the page short: the list is a dozen lines
        assert page.locator("#places").bounding_box()["height"] < 1200
        assert too_small(page.evaluate(TARGETS)) == []
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            assert axe_violations(page) == [], format_axe(axe_violations(page))
        expect(page.locator(".take-part-where dd")).to_contain_text("300 places in 12 countries")
    finally:
        context.close()


def test_country_filter_works_without_javascript(browser, many_places):
    context, page = open_page(browser, many_places, PHONE, java_script_enabled=False)
    try:
        expect(page.locator(".places-filter")).to_be_hidden()
        germany = page.locator("details.country", has=page.locator("summary", has_text="Germany"))
        spain = page.locator("details.country", has=page.locator("summary", has_text="Spain"))
        expect(germany.locator(".place").first).to_be_hidden()
        germany.locator("summary").click()
        expect(germany.locator(".place")).to_have_count(25)
        for i in range(25):
            expect(germany.locator(".place").nth(i)).to_be_visible()
        expect(spain.locator(".place").first).to_be_hidden()
        expect(germany).to_contain_text(place_name(1))  # Germany is the second country of every 12
    finally:
        context.close()


def test_text_filter_finds_places_with_javascript(browser, many_places):
    context, page = open_page(browser, many_places, PHONE)
    try:
        box = page.get_by_label("Find a place by its name, city or country")
        box.fill("vietnam")  # the country's name as the page shows it (the registry wrote "Viet Nam")
        shown = page.locator("#places .place:visible")
        expect(shown).to_have_count(25)
        expect(page.locator(".places-found")).to_have_text("Places that match: 25")
        expect(page.locator("#places details.country:visible")).to_have_count(1)
        box.fill("clinic number 299")
        expect(shown).to_have_count(1)
        box.fill("nowhere at all")
        expect(shown).to_have_count(0)
        expect(page.locator(".places-found")).to_have_text("No place matches these words.")
        box.fill("")
        expect(page.locator("#places details.country[open]")).to_have_count(0)
    finally:
        context.close()


def pdf_text(data: bytes) -> tuple[int, str]:
    from pypdf import PdfReader
    reader = PdfReader(io.BytesIO(data))
    text = unicodedata.normalize("NFKC", "\n".join(p.extract_text() for p in reader.pages))
    return len(reader.pages), text


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_example_prints_as_a_handout_of_at_most_5_a4_pages(browser, example_site_url):
    context, page = open_page(browser, example_site_url + TRIAL_PATH + "index.html", DESKTOP)
    try:
        expect(page.locator(".print-button")).to_be_visible()  # with JavaScript
        marked = sorted(set(page.locator("dfn.term button").all_inner_texts()))
        pages, text = pdf_text(page.pdf(format="A4"))
    finally:
        context.close()
    assert pages <= 5, pages
    flat, compact = " ".join(text.split()), squeezed(text)
    facts = yaml.safe_load((ROOT / f"content/trials/{TRIAL_PATH.split('/')[2]}/trial.yaml").read_text())
    for source in facts["sources"].values():
        assert squeezed(source["url"]) in compact, source["url"]
    glossary = yaml.safe_load((ROOT / "content/glossary.yaml").read_text())
    named = {k.casefold(): v for k, v in glossary.items()}
    for alias_owner, entry in glossary.items():
        for other in entry.get("aliases", []) + entry.get("abbreviations", []):
            named.setdefault(other.casefold(), entry)
    assert marked
    for word in marked:
        entry = named[word.casefold()]
        assert " ".join(entry["definition"].split()) in flat, word
    for navigation in ("All trials", "By illness", "Word list", "On this page", "Skip to main content", "Menu",
                       "Print this page", "Back to the text", "More in the word list", "Close"):
        assert navigation not in flat, navigation
    for kept in ("The main message", "Can I take part?", "Key facts", "Trial overview", "Sources",
                 "Last reviewed 1 November 2026", "Hard words on this page", "This page is online at"):
        assert kept.casefold() in flat.casefold(), kept  # the main message's heading is in capitals
    assert squeezed(example_site_url + TRIAL_PATH) in compact  # the page's own address


def test_print_button_is_hidden_without_javascript(browser, example_site_url):
    context, page = open_page(browser, example_site_url + TRIAL_PATH + "index.html", PHONE, java_script_enabled=False)
    try:
        expect(page.locator(".print-button")).to_be_hidden()
        expect(page.locator(".words-used")).to_be_hidden()  # on paper only
    finally:
        context.close()


def test_a_citation_followed_back_shows_its_whole_sentence(browser, example_site_url):
    context, page = open_page(browser, example_site_url + TRIAL_PATH + "index.html", PHONE)
    try:
        backlinks = page.locator("#source-1 a.backlink")
        count = backlinks.count()
        assert count > 10
        checked = 0
        for i in range(count):
            href = backlinks.nth(i).get_attribute("href")
            if not page.locator(f".section {href}").count():
                continue  # only citations at the end of a sentence in a section
            backlinks.nth(i).click()
            page.wait_for_function(f"location.hash === '{href}'")
            top = page.evaluate("""id => {
                const link = document.getElementById(id);
                const block = link.closest('p, li');
                const before = document.createRange();
                before.setStart(block, 0);
                before.setEndBefore(link.closest('sup'));
                const text = before.toString();
                const start = Math.max(text.lastIndexOf('. '), text.lastIndexOf('? ')) + 2;
                // the text node and offset where the cited sentence starts
                const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
                let node, seen = 0;
                while ((node = walker.nextNode())) {
                    if (seen + node.length >= start) break;
                    seen += node.length;
                }
                const range = document.createRange();
                const at = Math.min(Math.max(start - seen, 0), node.length);
                range.setStart(node, at); range.setEnd(node, Math.min(at + 1, node.length));
                return range.getBoundingClientRect().top;
            }""", href.lstrip("#"))
            assert top >= 0, (href, top)
            checked += 1
            if checked == 5:
                break
        assert checked == 5
    finally:
        context.close()


def test_long_links_wrap_at_slashes_and_dots_not_inside_words(browser, tmp_path, serve_dir):
    long_url = "https://www.clinicaltrialsregister.example.org/ctr-search/trial/2019-003456-12/results/summary-of-findings"
    project = make_project(tmp_path, {"content/trials/small-trial/trial.yaml":
                                      TRIAL.replace("https://example.org/reg", long_url)})
    code, out = build_in_process(project)
    assert code == 0, out
    context, page = open_page(browser, serve_dir(project / "site") + "/trials/small-trial/index.html",
                              {"width": 320, "height": 640})
    try:
        breaks = page.evaluate("""() => {
            const link = [...document.querySelectorAll('.source-url')].find(a => a.href.includes('findings'));
            const found = [];
            let lastTop = null, previous = '';
            for (const node of [...link.childNodes].filter(n => n.nodeType === 3)) {
                for (let i = 0; i < node.length; i++) {
                    const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
                    const top = Math.round(r.getBoundingClientRect().top);
                    if (lastTop !== null && top > lastTop + 5) found.push(previous);
                    lastTop = top; previous = node.data[i];
                }
            }
            return found;
        }""")
        assert breaks, "the long address should need more than one line at 320 px"
        assert all(char in "/.-?&=@" for char in breaks), breaks
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    finally:
        context.close()


def test_word_list_jumps_to_a_letter(browser, example_site_url):
    context, page = open_page(browser, example_site_url + "/glossary/index.html", PHONE)
    try:
        letters = page.locator("nav.letters a")
        assert letters.count() >= 10
        page.locator("nav.letters a", has_text=re.compile("^S$")).click()
        page.wait_for_url("**#letter-s")
        heading = page.locator("#letter-s").bounding_box()
        assert 0 <= heading["y"] < 100
        expect(page.locator("#letter-s + dl.glossary dfn").first).to_have_text(re.compile("^[Ss]"))
    finally:
        context.close()
