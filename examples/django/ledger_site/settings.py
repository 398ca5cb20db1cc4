"""Settings for the ledger example: one app, PostgreSQL through libpq's PG* variables."""
import os

from psycopg2.extensions import ISOLATION_LEVEL_SERIALIZABLE

SECRET_KEY = 'example-only-not-secret'
DEBUG = False
INSTALLED_APPS = ['payments']

# Django Channels: the WebSocket of payments.consumers, fed by the feed worker. One process's
# in-memory layer is enough for the tests; a deployment with several processes uses a shared
# layer (channels_redis, say).
CHANNEL_LAYERS = {'default': {'BACKEND': 'channels.layers.InMemoryChannelLayer'}}
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
    # No search_path option: the monetary operators and sum() live in pg_catalog, which every
    # search_path includes, so filter(balance__lt=...) and Sum('balance') work as they are; the
    # unmanaged models name schema "ledger" in their db_table (see payments/models.py), and the
    # service calls the functions as ledger.transfer(...). Django's own tables go to public.
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
        'OPTIONS': {'isolation_level': ISOLATION_LEVEL_SERIALIZABLE},
        'TEST': {'MIRROR': 'default'},
    },
}

# payments.service retries a transaction that fails with 40001/40P01 this many times in all,
# sleeping a random time up to base_delay * 2**n seconds (at most max_delay) in between.
LEDGER_RETRY = {'max_attempts': 5, 'base_delay': 0.01, 'max_delay': 0.5}
