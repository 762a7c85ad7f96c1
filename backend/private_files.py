"""Personal files (queued packing slips, party photos) live in a private storage.

The private storage is rooted outside every directory a web server or Django serves
(`PRIVATE_MEDIA_ROOT`), and its files have no URL: a view that has checked who asks hands one out
with `private_file_response`. Django streams the file itself by default; behind nginx or Apache it
can leave the sending to the proxy (`PRIVATE_MEDIA_SENDFILE`), which reads the file from an
internal location no client can request directly.
"""

from typing import Any
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db.models import FileField, Model
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header

# What `PRIVATE_MEDIA_SENDFILE` may say: who sends the bytes of a private file.
SENDFILE_OFF = "off"  # Django streams the file (FileResponse)
SENDFILE_NGINX = "x-accel-redirect"  # nginx sends it from its `internal` location
SENDFILE_APACHE = "x-sendfile"  # Apache's mod_xsendfile sends it from its path on disk
SENDFILE_MODES = {SENDFILE_OFF, SENDFILE_NGINX, SENDFILE_APACHE}


@deconstructible(path="backend.private_files.PrivateFileStorage")
class PrivateFileStorage(FileSystemStorage):
    """Files on disk under `PRIVATE_MEDIA_ROOT` (read when first used, so tests may move it), with no URL."""

    @cached_property
    def base_location(self) -> Any:
        return settings.PRIVATE_MEDIA_ROOT

    @cached_property
    def base_url(self) -> None:  # type: ignore[override]  # no URL: `url()` refuses
        return None

    def _clear_cached_properties(self, setting: Any, **kwargs: Any) -> None:
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


def private_storage() -> Storage:
    """The storage of personal files, `STORAGES["private"]`.

    File fields name this callable rather than a storage, so their migrations stay the same whatever
    the deployment configures.
    """
    return storages["private"]


def private_file_response(
    file: FieldFile, *, content_type: str, filename: str, as_attachment: bool = False
) -> HttpResponseBase:
    """Hand a private file to whoever the calling view has already let through.

    Never cached by a browser or a shared cache (it carries someone's personal data).
    """
    mode = settings.PRIVATE_MEDIA_SENDFILE
    response: HttpResponseBase
    if mode == SENDFILE_OFF:
        response = FileResponse(
            file.open("rb"), content_type=content_type, filename=filename, as_attachment=as_attachment
        )
    else:
        # The proxy replaces this empty body with the file; it keeps the headers set here.
        response = HttpResponse(content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(as_attachment, filename) or "inline"
        if mode == SENDFILE_NGINX:
            internal = settings.PRIVATE_MEDIA_INTERNAL_URL.rstrip("/")
            response["X-Accel-Redirect"] = f"{internal}/{quote(str(file.name))}"
        else:
            response["X-Sendfile"] = file.path
    response["Cache-Control"] = "private, no-store"
    return response


def private_file_fields() -> list[tuple[type[Model], FileField]]:
    """Every model's file field kept in the private storage, found in the app registry."""
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, FileField) and field.storage is private_storage()
    ]


def move_files_to_private_storage(*, dry_run: bool = False) -> int:
    """Move the files of private file fields still sitting in the public media folder into the private
    storage, under the same name (written there before the storage existed). Idempotent: a second run
    finds nothing left to move. Returns how many files moved (or would move, with `dry_run`)."""
    public = storages["default"]
    moved = 0
    for model, field in private_file_fields():
        names = model._default_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True)
        for name in names.iterator():
            if not public.exists(name):
                continue
            moved += 1
            if dry_run:
                continue
            if not field.storage.exists(name):
                with public.open(name, "rb") as source:
                    stored = field.storage.save(name, source)
                if stored != name:  # never expected: the name was free a moment ago
                    raise RuntimeError(f"{name} was stored as {stored}; nothing was deleted.")
            public.delete(name)
    return moved
