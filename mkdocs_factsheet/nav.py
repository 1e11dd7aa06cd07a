"""What mkdocs.yml's nav says, for the plugins that name pages by their menu titles (backlinks,
the Corrections list)."""


def nav_titles(items):
    """(page path, title) pairs from mkdocs.yml's nav, in its order: its short titles suit links."""
    for item in items:
        if isinstance(item, dict):
            for title, target in item.items():
                if isinstance(target, str):
                    yield target, title
                else:
                    yield from nav_titles(target)
