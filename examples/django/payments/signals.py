from django.dispatch import Signal

# Sent inside the transaction, before each attempt's ledger call: attempt (1, 2, ...), using.
attempt_started = Signal()
# Sent after an attempt failed with 40001/40P01 and was rolled back, before the backoff sleep:
# attempt (the one that failed), sqlstate, delay (seconds), using.
retrying = Signal()
