"""Whether a link may stand as a source: the organisation's own public page.

Articles and service records cite where their facts come from, and service records link young
people to the service. Neither may point at an encyclopaedia anyone can edit, a document or
site-builder host (a staging copy, an uploaded PDF), a development host or an unusual port.
"""

from __future__ import annotations

from pydantic import HttpUrl

# Hosts (and their subdomains) that publish other people's pages, never an organisation's own.
HOSTING = (
    "wikipedia.org", "wikimedia.org", "issuu.com", "docslib.org", "vdocuments.mx",
    "docsbay.net", "scribd.com", "squarespace.com", "wixsite.com", "weebly.com",
    "wordpress.com", "blogspot.com", "herokuapp.com", "netlify.app", "vercel.app",
    "github.io", "pages.dev", "web.app", "firebaseapp.com", "azurewebsites.net",
)  # fmt: skip
# Labels that name a copy of a site rather than the site.
NOT_LIVE = frozenset({"localhost", "staging", "stage", "dev", "test", "preview", "local"})


def source_problem(url: HttpUrl) -> str | None:
    """Why `url` is not an organisation's own public page, or None if it may be."""
    host = (url.host or "").lower().rstrip(".")
    if any(host == h or host.endswith("." + h) for h in HOSTING):
        return f"{host} hosts other people's pages: link the organisation's own site"
    labels = host.split(".")
    if len(labels) < 2 or labels[-1].isdigit() or NOT_LIVE & set(labels):
        return f"{host} is not a public site"
    if url.port not in (None, 80, 443):
        return f"port {url.port}: link the public site"
    return None
