"""/api/docs serves Swagger UI from this site: every script and style is same-origin, so the page
works under the site's own CSP (script-src 'self' + nonce, style-src 'self'), and in a browser
the operations appear with no CSP violation (test_browser_docs.py)."""

import re
from urllib.parse import urljoin, urlparse

import httpx


def test_docs_reference_only_same_origin_assets_and_they_are_served(live_server):
    docs = httpx.get(f"{live_server.url}/api/docs", timeout=30)
    assert docs.status_code == 200
    csp = docs.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assets = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', docs.text)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    for asset in assets:
        url = urljoin(str(docs.url), asset)
        assert urlparse(url).netloc == urlparse(live_server.url).netloc, asset
        served = httpx.get(url, timeout=30)
        assert served.status_code == 200, asset
        assert len(served.content) > 0
