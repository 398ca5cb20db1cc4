"""Settings for the ledger example: one app, PostgreSQL through libpq's PG* variables."""
import os

from psycopg2.extensions import ISOLATION_LEVEL_SERIALIZABLE

SECRET_KEY = 'example-only-not-secret'
DEBUG = False
INSTALLED_APPS = ['payments']
USE_TZ = True
TIME_ZONE = 'UTC'
DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'

_database = {
    'ENGINE': 'django.db.backends.postgresql',
    'NAME': os.environ.get('LEDGER_DJANGO_DB', 'ledger_example_django'),
    'HOST': os.environ.get('PGHOST', ''),  # a directory means a Unix socket
    'PORT': os.environ.get('PGPORT', ''),
    'USER': os.environ.get('PGUSER', ''),
    'PASSWORD': os.environ.get('PGPASSWORD', ''),
    # The ledger's tables live in schema "ledger". Putting it on the search_path (after public,
    # so Django still creates its own tables in public) beats the 'ledger"."accounts' quoting
    # trick: the monetary operators and sum() are found through search_path too, so without it
    # filter(balance__lt=...) or Sum('balance') would fail with "operator does not exist".
    'OPTIONS': {'options': '-c search_path=public,ledger'},
    'TEST': {'SERIALIZE': False},
}

DATABASES = {
    # READ COMMITTED, Django's default: ledger calls wait for each other's row locks.
    'default': _database,
    # The same database, every transaction SERIALIZABLE. Isolation is a property of the
    # connection in Django, so a second alias says it once, instead of each atomic() block
    # having to start with SET TRANSACTION ISOLATION LEVEL (which breaks as soon as the
    # block is nested or a query runs before it).
    'serializable': {
        **_database,
        'OPTIONS': {**_database['OPTIONS'], 'isolation_level': ISOLATION_LEVEL_SERIALIZABLE},
        'TEST': {'MIRROR': 'default'},
    },
}

# payments.service retries a transaction that fails with 40001/40P01 this many times in all,
# sleeping a random time up to base_delay * 2**n seconds (at most max_delay) in between.
LEDGER_RETRY = {'max_attempts': 5, 'base_delay': 0.01, 'max_delay': 0.5}
