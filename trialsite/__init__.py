"""trialsite: plain-language clinical-trial pages from YAML facts and Markdown sections."""

__version__ = "0.1.0"
