"""Install the celery beat entry of the nightly risk reports (daily at settings.RISK_REPORT_HOUR, firm
time zone). `manage.py run_risk_reports --install-schedule` updates it after a settings change; an
entry that already exists (perhaps edited in admin) is left alone here."""

from django.conf import settings
from django.db import migrations

NAME = "analytics: nightly risk reports"
TASK = "analytics.tasks.run_nightly_risk_reports"


def install(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour=str(settings.RISK_REPORT_HOUR), day_of_week="*", day_of_month="*",
        month_of_year="*", timezone=settings.TIME_ZONE,
    )
    PeriodicTask.objects.create(name=NAME, task=TASK, crontab=crontab, enabled=True)


def uninstall(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0002_builtin_scenarios"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
