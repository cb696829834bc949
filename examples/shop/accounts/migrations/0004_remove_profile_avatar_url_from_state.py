# Step one of removing a column safely: the code stops using avatar_url now; the column itself is dropped in a
# later release, once no running code selects it.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_rename_display_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="profile", name="avatar_url"),
            ],
        ),
    ]
