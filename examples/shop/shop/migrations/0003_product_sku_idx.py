# Builds the SKU index without blocking writes: CREATE INDEX CONCURRENTLY cannot run in a transaction.

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):

    atomic = False

    dependencies = [
        ("shop", "0002_product_sku"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="product",
            index=models.Index(fields=["sku"], name="shop_product_sku_idx"),
        ),
    ]
