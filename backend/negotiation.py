"""Content negotiation that reads `?format=` (an empty value is no format, not the default one), and
the errors of file answers in the one JSON shape."""

from collections.abc import Iterable
from typing import Any

from django.http import Http404
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, except that `?format=` with no value is refused like an unknown format
    (404), instead of quietly answering JSON to a client that asked for something else (CSV, PDF)."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        override = self.settings.URL_FORMAT_OVERRIDE
        asked = request.query_params.get(override) if override and format_suffix is None else None
        if asked is not None and not asked.strip():
            raise Http404
        chosen: Any = super().select_renderer(request, renderers, format_suffix)
        return chosen


class ErrorsInJson:
    """For a view that answers a file (CSV, PDF): its errors still answer in the one JSON error shape,
    whatever format was asked for. Put it before the view class: `class Export(ErrorsInJson, APIView)`."""

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(response, Response) and response.status_code >= 400:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]  # the view's
