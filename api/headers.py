"""Security headers on every answer, and no caching of anything private.

A plain ASGI middleware (not ``@app.middleware("http")``): it only adds headers to the
start of the response, so streamed bodies and file downloads pass through untouched.
It wraps the whole application, outside Starlette's error middleware, so that even an
unexpected error's ``500`` carries the headers.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.public_routes import PUBLIC_MOUNTS, PUBLIC_ROUTES

# GOV.UK Frontend's one inline script (base.html), which marks the body as JS-enabled;
# its hash is the one GOV.UK publishes for that snippet. Inline styles stay allowed: the
# charts are inline SVG, drawn with style attributes and a <style> block.
GOVUK_INLINE_SCRIPT = "'sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw='"
PAGE_POLICY = (
    "default-src 'self'; "
    f"script-src 'self' {GOVUK_INLINE_SCRIPT}; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; "
    "object-src 'none'; "
    "base-uri 'none'; "
    "form-action 'self'; "
    "frame-ancestors 'none'"
)
# Swagger UI (/docs), served from /static, starts with an inline script.
DOCS_PATH = "/docs"
DOCS_POLICY = (
    "default-src 'self'; "
    "script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; "
    "object-src 'none'; "
    "base-uri 'none'; "
    "frame-ancestors 'none'"
)
# JSON, CSV and files are never documents that load anything.
RESOURCE_POLICY = "default-src 'none'; frame-ancestors 'none'"

HSTS = "max-age=31536000"
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # for browsers that predate frame-ancestors
    "Referrer-Policy": "same-origin",
}


class SecurityHeaders:
    """Add the security headers to every HTTP answer; ``no-store`` on private ones.

    Private means: the request carries credentials (a bearer token or a cookie, such as
    the session's), or its route is not one of ``PUBLIC_ROUTES``. Public answers to
    anonymous requests (published statistics, the public pages) and static files keep
    whatever caching they were given.
    """

    def __init__(self, app: ASGIApp, *, docs_paths: frozenset[str], https_only: bool) -> None:
        self.app = app
        self.docs_paths = docs_paths
        # Served over HTTPS (secure cookies): browsers are told to use nothing else for a year.
        self.always = {**ALWAYS, **({"Strict-Transport-Security": HSTS} if https_only else {})}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.always.items():
                    headers[name] = value
                headers["Content-Security-Policy"] = self._policy(scope, headers)
                if self._private(scope):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _policy(self, scope: Scope, headers: MutableHeaders) -> str:
        if not headers.get("content-type", "").startswith("text/html"):
            return RESOURCE_POLICY
        return DOCS_POLICY if scope["path"] in self.docs_paths else PAGE_POLICY

    def _private(self, scope: Scope) -> bool:
        path: str = scope["path"]
        if any(path == mount or path.startswith(mount + "/") for mount in PUBLIC_MOUNTS):
            return False
        if any(name in (b"authorization", b"cookie") for name, _ in scope["headers"]):
            return True
        # The router records the matched route in the scope; its path is the template
        # ("/councils/{code}") that PUBLIC_ROUTES lists. No route (a 404): the raw path.
        template = getattr(scope.get("route"), "path", path)
        method = "GET" if scope["method"] == "HEAD" else scope["method"]
        return method not in PUBLIC_ROUTES.get(template, set())


class HeaderedFastAPI(FastAPI):
    """The application, with :class:`SecurityHeaders` around everything it answers."""

    def build_middleware_stack(self) -> ASGIApp:
        settings = getattr(self.state, "settings", None)
        return SecurityHeaders(
            super().build_middleware_stack(),
            docs_paths=frozenset({DOCS_PATH}),
            https_only=bool(settings and settings.secure_cookies),
        )
