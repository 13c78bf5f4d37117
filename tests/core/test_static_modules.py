"""Production static files: the pages' ES modules import each other by their hashed names.

A browser keeps a hashed file forever; a module importing ``./store.js`` by its plain name would
keep the first copy it got after a deploy. ``collectstatic`` with the production storage must
leave no plain-name import between our modules.

A module's hashed name depends on the hashed names it imports, so the imports must go one way:
in a cycle the names never settle (collectstatic fails with "Max post-process passes
exceeded"), and a chain of imports settles one link per pass at worst.
"""

import json
import re
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils.module_loading import import_string

IMPORT = re.compile(r"""^(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["'];""", re.M)
PRODUCTION_STORAGE = "apps.core.staticfiles.StaticFilesStorage"
# The inbox page's module scripts (templates/conversations/inbox.html).
INBOX_ENTRIES = [f"inbox/{name}.js" for name in ("inbox", "search", "canned", "live", "contact")]


def source_imports():
    """{module: [the modules it imports]} for every JS file under static/, as paths from there."""
    root = Path(settings.STATICFILES_DIRS[0]).resolve()
    graph = {}
    for path in sorted(root.rglob("*.js")):
        imports = IMPORT.findall(path.read_text())
        graph[path.relative_to(root).as_posix()] = [
            (path.parent / url).resolve().relative_to(root).as_posix() for url in imports
        ]
    return graph


def test_production_storage_is_the_module_aware_one():
    from whitenoise.storage import CompressedManifestStaticFilesStorage

    storage = import_string(PRODUCTION_STORAGE)
    assert issubclass(storage, CompressedManifestStaticFilesStorage)
    assert storage.support_js_module_import_aggregation


def test_module_imports_go_one_way():
    graph = source_imports()
    for entry in INBOX_ENTRIES:
        assert entry in graph
    depth = {}  # module -> imports in its longest chain; None while being walked

    def walk(module, chain):
        if module in depth:
            cycle = [*chain[chain.index(module) :], module] if depth[module] is None else []
            assert not cycle, "import cycle: " + " -> ".join(cycle)
            return depth[module]
        depth[module] = None
        imports = graph.get(module, [])
        depth[module] = max((1 + walk(m, [*chain, module]) for m in imports), default=0)
        return depth[module]

    longest = max(walk(module, []) for module in graph)
    # collectstatic makes one pass after the chain settles, to see that nothing changed.
    passes = import_string(PRODUCTION_STORAGE).max_post_process_passes
    assert longest + 1 <= passes, f"imports {longest} deep: raise max_post_process_passes"


def test_collected_inbox_modules_import_hashed_names(tmp_path):
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}}
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    paths = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]

    assert all(paths[entry] != entry for entry in INBOX_ENTRIES)  # the page loads hashed files...
    root = tmp_path.resolve()
    seen, todo = set(), [paths[entry] for entry in INBOX_ENTRIES]
    while todo:  # ...and every module they reach, through imports, is a hashed file too
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for url in IMPORT.findall((root / name).read_text()):
            target = (root / name).parent.joinpath(url).resolve().relative_to(root)
            assert target.as_posix() in paths.values(), f"{name} imports {url} by its plain name"
            todo.append(target.as_posix())
    hashed_modules = {paths[name] for name in source_imports() if name.startswith("inbox/")}
    assert hashed_modules == seen  # every inbox module, reached from the page's scripts
