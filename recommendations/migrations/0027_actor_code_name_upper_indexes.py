from django.db import migrations, models
from django.db.models.functions import Upper


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0026_item_newest_entry_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="actor",
            index=models.Index(Upper("code"), name="actor_code_upper"),
        ),
        migrations.AddIndex(
            model_name="actor",
            index=models.Index(Upper("name"), name="actor_name_upper"),
        ),
    ]
