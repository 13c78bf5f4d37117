"""Static files storage for production: whitenoise's compressed, hashed-name storage, with the
imports between our ES modules rewritten to the hashed names too.

The inbox is a set of native modules (``import … from "./store.js"``). A browser caches a
hashed file forever, so a module that still imported ``./store.js`` by its plain name would keep
loading whatever copy it first got. Django's ``ManifestStaticFilesStorage`` rewrites those
imports when ``support_js_module_import_aggregation`` is on (its documented switch).

A module's hashed name then depends on the hashed names of the modules it imports: the imports
must go one way (a cycle never settles), and a chain of them settles one module per pass at
worst, since files are processed in directory order, not import order. The inbox's longest
chain is 11 imports; Django's default of 5 passes is too few for it
(tests/core/test_static_modules.py checks both).
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
    max_post_process_passes = 20
