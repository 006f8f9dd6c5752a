"""Production's static files: collectstatic with the manifest storage that DEBUG off uses.

The manifest storage rewrites every url() and sourceMappingURL to a hashed name and fails on
a reference to a missing file (a vendored library naming a source map that was not copied
broke it once): the deployment step must work on a fresh checkout. The test runs Django's
manifest storage, which production's whitenoise storage extends with compression only: the
rewriting is what broke, and compressing every vendored file (brotli) took most of a minute."""

import json

from django.core.management import call_command

MANIFEST_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}


def test_collectstatic_with_the_production_storage(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = MANIFEST_STORAGES
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in (
        "web/app.css",
        "vendor/leaflet/leaflet.js",
        "vendor/echarts/echarts.common.min.js",
        "ninja/swagger-ui-bundle.js",  # /api/docs serves Swagger UI from this site
        "ninja/swagger-ui.css",
    ):
        assert (tmp_path / manifest[name]).is_file(), name
    hashed_leaflet = (tmp_path / manifest["vendor/leaflet/leaflet.js"]).read_text()
    assert manifest["vendor/leaflet/leaflet.js.map"].split("/")[-1] in hashed_leaflet  # map link rewritten
