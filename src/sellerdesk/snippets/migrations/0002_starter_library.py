"""Seeds the starter library (snippets.starter) into a new install, once. Runs for real
installs and the demo alike; admins edit or retire the snippets from there."""

from django.db import migrations


def seed(apps, schema_editor):
    from sellerdesk.snippets.library import seed_starter_library

    seed_starter_library(apps.get_model("snippets", "Snippet"))


def unseed(apps, schema_editor):
    from sellerdesk.snippets.starter import STARTER_LIBRARY

    Snippet = apps.get_model("snippets", "Snippet")
    Snippet.objects.filter(
        title__in=[s.title for s in STARTER_LIBRARY],
        created_by__isnull=True,
        updated_by__isnull=True,
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("snippets", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
