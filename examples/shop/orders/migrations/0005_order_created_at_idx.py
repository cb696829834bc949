# The admin's order list sorts by creation date.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0004_alter_order_note"),
    ]

    operations = [
        migrations.RunSQL(
            sql="CREATE INDEX orders_order_created_at_idx ON orders_order (created_at);",
            reverse_sql="DROP INDEX orders_order_created_at_idx;",
        ),
    ]
