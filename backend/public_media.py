"""Public media: the campaigns' branding images (logos, covers), which name and show no one.

Personal files never live here (they are in private storage, `backend.private_files`). Only the
`branding/` folder is served, only image files named as the upload check names them, and they are
cached for good: a new upload gets a new name.
"""

import mimetypes
import re

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

BRANDING_FOLDER = "branding"
SERVED_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}\.(?:png|jpg|webp)\Z")


@require_safe
def branding_image(request: HttpRequest, name: str) -> FileResponse:
    if not SERVED_NAME.match(name):
        raise Http404
    path = f"{BRANDING_FOLDER}/{name}"
    try:
        if not default_storage.exists(path):
            raise Http404
        stream = default_storage.open(path, "rb")
    except (SuspiciousFileOperation, OSError):
        raise Http404 from None
    response = FileResponse(stream, content_type=mimetypes.guess_type(name)[0])
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response
