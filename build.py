"""Build the site: python build.py [build|serve|check]. See README.md."""
import sys

from trialsite.cli import main

if __name__ == "__main__":
    sys.exit(main())
