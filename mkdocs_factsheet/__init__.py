"""The factsheet's own MkDocs plugins, registered in pyproject.toml and configured in mkdocs.yml."""
