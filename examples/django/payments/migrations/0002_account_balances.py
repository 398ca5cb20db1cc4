from django.db import migrations, models


class Migration(migrations.Migration):
    """ledger 1.1 moved balances out of ledger.accounts into ledger.balances: Account now reads
    the view ledger.account_balances. The model is unmanaged, so none of this touches the
    database; it only keeps the migration state in step with models.py."""

    dependencies = [
        ('payments', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelTable(
            name='account',
            table='ledger"."account_balances',
        ),
        migrations.AlterField(
            model_name='account',
            name='version',
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='account',
            name='slots',
            field=models.SmallIntegerField(default=1),
            preserve_default=False,
        ),
    ]
