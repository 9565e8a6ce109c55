"""Schedule limits.checks.expire_reservations every 5 minutes in django-celery-beat's database.

Expired reservations already stop counting at read time (expires_at > now); the task only tidies
them up, so its period is not critical.
"""

from django.db import migrations

TASK_NAME = "expire-reservations"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_five_minutes, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={"task": "limits.checks.expire_reservations", "interval": every_five_minutes, "enabled": True},
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("limits", "0002_beat_expire_limit_overrides")]

    operations = [migrations.RunPython(schedule, unschedule)]
