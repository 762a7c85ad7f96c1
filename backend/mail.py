"""E-mails leave through a task enqueued after the transaction commits, never inside it."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task


@task()
def send_templated_email(*, to: str, template: str, context: dict, language: str = "en") -> None:
    """Render `emails/<template>_subject.txt` and `emails/<template>.txt` in the recipient's language."""
    with translation.override(language):
        full_context = {"site_url": settings.SITE_URL, **context}
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", full_context).split())
        body = render_to_string(f"emails/{template}.txt", full_context)
    EmailMultiAlternatives(subject=subject, body=body, to=[to]).send()


def send_email_on_commit(*, to: str, template: str, context: dict, language: str = "en") -> None:
    """Queue the e-mail once the surrounding transaction commits (nothing is sent on rollback)."""
    transaction.on_commit(
        lambda: send_templated_email.enqueue(to=to, template=template, context=context, language=language)
    )
