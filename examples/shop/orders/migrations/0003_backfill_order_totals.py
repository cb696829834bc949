# Recomputes every order's total from its lines.

from decimal import Decimal

from django.db import migrations


def fill_totals(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    for order in Order.objects.all():
        order.total = sum((line.unit_price * line.quantity for line in order.lines.all()), Decimal("0"))
        order.save(update_fields=["total"])


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0002_order_tracking_number"),
    ]

    operations = [
        migrations.RunPython(fill_totals),
    ]
