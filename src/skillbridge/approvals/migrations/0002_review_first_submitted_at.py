from django.db import migrations, models
from django.db.models import F


def backfill(apps, schema_editor):
    """Cases submitted before the field existed: the last submission is the best record of the first."""
    ReviewCase = apps.get_model("approvals", "ReviewCase")
    ReviewCase.objects.filter(submitted_at__isnull=False).update(first_submitted_at=F("submitted_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="reviewcase",
            name="first_submitted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="首次报送时间"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
