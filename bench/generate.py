"""Generate a large content folder (and the same pages as an MkDocs project) for benchmarks.

python bench/generate.py N OUT  ->  OUT/content/ (N trials), and the same pages as OUT/mkdocs/ and
OUT/hugo/ projects (facts filled in, citations as plain [1] markers)
Each trial is the example trial with its own slug, title, condition and numbers, so every
page differs and nothing can be shared between pages by accident.
"""
from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "content" / "trials" / "allonk-rituximab-rheumatic"
CONDITIONS = ["systemic sclerosis", "rheumatoid arthritis", "lupus", "myositis", "psoriasis", "gout",
              "vasculitis", "Sjögren's disease", "spondylitis", "fibromyalgia"]
STATUSES = ["recruiting", "completed", "not yet recruiting", "active not recruiting", "authorised"]
PHASES = ["1", "1/2", "2", "3", "4"]


def trial_facts(i: int, base: dict) -> dict:
    facts = dict(base)
    facts["title"] = f"Trial {i:05d}: {base['title']}"
    facts["status"] = STATUSES[i % len(STATUSES)]
    facts["phase"] = PHASES[i % len(PHASES)]
    facts["enrollment"] = {"count": 20 + i % 400, "kind": "planned"}
    conditions = list(base["conditions"])
    conditions[0] = {**conditions[0], "name": CONDITIONS[i % len(CONDITIONS)]}
    facts["conditions"] = conditions
    return facts


def fill(text: str, facts: dict) -> str:
    """Facts filled in and citations as plain markers, for the MkDocs copy of a page."""
    def value(match):
        node = facts
        for part in re.findall(r"\.(\w+)|\[(\d+)\]", match.group(1)):
            node = node[part[0]] if part[0] else node[int(part[1])]
        return str(node)
    text = re.sub(r"\{\{\s*trial((?:\.\w+|\[\d+\])+)\s*\}\}", value, text)
    return re.sub(r"\[@[^\]]+\]", "[1]", text)


def main(n: int, out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    content = out / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns("trials"))
    base = yaml.safe_load((EXAMPLE / "trial.yaml").read_text())
    sections = sorted((EXAMPLE / "sections").glob("*.md"))
    docs = out / "mkdocs" / "docs"
    docs.mkdir(parents=True)
    (out / "mkdocs" / "mkdocs.yml").write_text("site_name: Benchmark\nuse_directory_urls: true\n")
    (docs / "index.md").write_text("# Trials\n")
    hugo = out / "hugo"
    (hugo / "content" / "trials").mkdir(parents=True)
    (hugo / "layouts" / "_default").mkdir(parents=True)
    (hugo / "hugo.toml").write_text('baseURL = "https://example.org/"\ntitle = "Benchmark"\n'
                                    'disableKinds = ["taxonomy", "term", "RSS"]\n')
    page = ('<!DOCTYPE html><html lang="en"><head><title>{{ .Title }}</title></head><body><main>'
            '{{ block "main" . }}{{ end }}</main></body></html>')
    (hugo / "layouts" / "_default" / "baseof.html").write_text(page)
    (hugo / "layouts" / "_default" / "single.html").write_text('{{ define "main" }}<h1>{{ .Title }}</h1>'
                                                                '{{ .Content }}{{ end }}')
    (hugo / "layouts" / "_default" / "list.html").write_text('{{ define "main" }}<ul>{{ range .Pages }}'
                                                              '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>'
                                                              '</li>{{ end }}</ul>{{ end }}')
    for i in range(n):
        slug = f"trial-{i:05d}"
        folder = content / "trials" / slug
        (folder / "sections").mkdir(parents=True)
        facts = trial_facts(i, base)
        (folder / "trial.yaml").write_text(yaml.safe_dump(facts, sort_keys=False, allow_unicode=True))
        page = [f"# {facts['title']}\n\n{facts['summary']}\n"]
        for section in sections:
            text = section.read_text()
            (folder / "sections" / section.name).write_text(text)
            title = yaml.safe_load(text.split("---")[1])["title"]
            page.append(f"## {title}\n\n{fill(text.split('---', 2)[2], facts)}")
        (docs / f"{slug}.md").write_text("\n".join(page))
        body = "\n".join(page[1:])
        (hugo / "content" / "trials" / f"{slug}.md").write_text(
            f'---\ntitle: "{facts["title"]}"\n---\n{facts["summary"]}\n\n{body}')


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
