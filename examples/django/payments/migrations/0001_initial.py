from django.db import migrations, models
import payments.fields


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        # Before any monetary column exists. The test runner migrates a fresh test_ database,
        # so this is also what gives the tests the extension. Never dropped on the way back:
        # the ledger's data outlives this app.
        migrations.RunSQL('CREATE EXTENSION IF NOT EXISTS ledger', migrations.RunSQL.noop),
        migrations.CreateModel(
            name='Account',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.TextField(unique=True)),
                ('currency', models.TextField()),
                ('balance', payments.fields.MonetaryField()),
                ('min_balance', payments.fields.MonetaryField(null=True)),
                ('max_balance', payments.fields.MonetaryField(null=True)),
                ('version', models.BigIntegerField()),
                ('is_external', models.BooleanField()),
                ('metadata', models.JSONField(null=True)),
                ('created_at', models.DateTimeField()),
            ],
            options={
                'db_table': 'ledger"."accounts',
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='Transfer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('amount', payments.fields.MonetaryField()),
                ('idempotency_key', models.TextField(null=True, unique=True)),
                ('metadata', models.JSONField(null=True)),
                ('created_at', models.DateTimeField()),
            ],
            options={
                'db_table': 'ledger"."transfers',
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='Charge',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('description', models.TextField()),
                ('amount', payments.fields.MonetaryField()),
                ('refund', payments.fields.MonetaryField(null=True)),
            ],
        ),
    ]
