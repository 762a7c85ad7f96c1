"""Background work of the recognition app; each task calls a service and is safe to run twice."""

from django_tasks import task

from recognition.milestones.services import record_milestones


@task()
def record_milestones_task() -> dict[str, int]:
    return record_milestones().as_dict()
