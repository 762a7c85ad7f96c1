"""E-mails leave through a task enqueued after the transaction commits, never inside it.

A task's arguments are stored (the task results table, or Redis) and outlive the people they name,
so they name no one: the task gets the dotted path of an e-mail builder and the id of the object the
e-mail is about. When the task runs, the builder reads that object and returns the `Email`
(recipient, template, context, language), minting any one-time link then; it returns None when there
is no one to write to any more (erased, withdrawn, purged), and nothing is sent.

    @email_builder
    def application_received_email(application_id: int) -> Email | None:
        application = Application.objects.filter(pk=application_id).first()
        ...

    send_email_on_commit(build=application_received_email, object_id=application.pk)
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.module_loading import import_string
from django_tasks import task

from backend.branding import Brand


class Attachment(NamedTuple):
    """A file sent with an e-mail (an invitation's calendar event)."""

    filename: str
    content: bytes
    mimetype: str


@dataclass(frozen=True)
class Email:
    """One e-mail as a builder makes it: rendered from `emails/<template>_subject.txt` and
    `emails/<template>.txt` in `language`, with its attachments and an HTML part dressed in `brand`
    (the campaign's, with absolute image URLs; Soirée's when None): `emails/<template>.html` when
    there is one, otherwise the text inside the shared layout `emails/layout.html`."""

    to: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    language: str = "en"
    attachments: tuple[Attachment, ...] = ()
    brand: Brand | None = None


ObjectId = int | str
EmailBuilder = Callable[[Any], Email | None]


def email_builder(build: EmailBuilder) -> EmailBuilder:
    """Mark a module-level function as an e-mail builder: given an object id, the `Email` about it, or
    None. Only marked functions are ever called by the e-mail task."""
    build.builds_email = True  # type: ignore[attr-defined]  # the mark the task checks
    return build


def _builder_path(build: EmailBuilder) -> str:
    path = f"{build.__module__}.{build.__qualname__}"
    if not getattr(build, "builds_email", False) or import_string(path) is not build:
        raise ValueError(f"{path} is not a module-level function marked with @email_builder.")
    return path


def _html_part(email: Email, context: dict[str, Any], *, subject: str, body: str) -> str:
    """The HTML part, escaped by the HTML engine (the text part is rendered unescaped, as typed)."""
    # A rendered template comes marked safe; the text part is not HTML, so it is escaped here like any text.
    text = "".join([body])
    html_context = {**context, "brand": email.brand or Brand(), "subject": subject, "text_body": text}
    try:
        template = get_template(f"emails/{email.template}.html")
    except TemplateDoesNotExist:
        template = get_template("emails/layout.html")
    return template.render(html_context)


def send_email(email: Email) -> None:
    """Render and send now (inside the task): the plain text, and the same in HTML."""
    with translation.override(email.language):
        context = {"site_url": settings.SITE_URL, **email.context}
        subject = " ".join(
            render_to_string(f"emails/{email.template}_subject.txt", context, using="text").split()
        )
        body = render_to_string(f"emails/{email.template}.txt", context, using="text")
        html = _html_part(email, context, subject=subject, body=body)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[email.to])
    message.attach_alternative(html, "text/html")
    for attachment in email.attachments:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    message.send()


@task()
def send_built_email(*, builder: str, object_id: ObjectId) -> None:
    """Build the e-mail from the database as it is now, and send it (nothing when the builder says
    there is no one to write to)."""
    build = import_string(builder)
    if not getattr(build, "builds_email", False):
        raise ValueError(f"{builder} is not an e-mail builder.")
    email = build(object_id)
    if email is not None:
        send_email(email)


def send_email_on_commit(*, build: EmailBuilder, object_id: ObjectId) -> None:
    """Queue the e-mail `build` makes about `object_id` once the surrounding transaction commits
    (nothing is sent on rollback). The queued task holds the builder's path and the id, nothing else."""
    builder = _builder_path(build)
    transaction.on_commit(lambda: send_built_email.enqueue(builder=builder, object_id=object_id))
