from django.db import migrations, models
import payments.fields


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0002_account_balances'),
    ]

    operations = [
        migrations.CreateModel(
            name='Movement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.BigIntegerField(db_index=True)),
                ('transfer_id', models.BigIntegerField()),
                ('account_id', models.BigIntegerField(db_index=True)),
                ('slot', models.SmallIntegerField()),
                ('amount', payments.fields.MonetaryField()),
                ('balance_after', payments.fields.MonetaryField()),
                ('created_at', models.DateTimeField()),
            ],
        ),
        migrations.AddConstraint(
            model_name='movement',
            constraint=models.UniqueConstraint(fields=('transfer_id', 'account_id', 'slot'), name='one_movement_per_entry'),
        ),
    ]
