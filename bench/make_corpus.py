"""python bench/make_corpus.py N OUT: N realistic trials in OUT/content (the content format),
and the same pages as an MkDocs project (OUT/mkdocs) and a Hugo project (OUT/hugo).
Deterministic: the same N gives the same files. See bench/generate.py."""
import sys
from pathlib import Path

from generate import main

if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
