"""manage.py apply_feed: the worker that applies the ledger's change feed (payments.feed)."""
from django.core.management.base import BaseCommand

from payments import feed


class Command(BaseCommand):
    help = 'Applies the ledger change feed to payments.Movement, exactly once, and pushes it.'

    def add_arguments(self, parser):
        parser.add_argument('--once', action='store_true',
                            help='tick, apply what is waiting, and stop')
        parser.add_argument('--batch', type=int, default=100)
        parser.add_argument('--idle-seconds', type=float, default=1.0,
                            help='longest sleep between ticks when no NOTIFY comes')

    def handle(self, *args, once=False, batch=100, idle_seconds=1.0, **options):
        feed.ensure_consumer()
        applied = 0
        while True:
            feed.tick()
            while True:
                count = feed.apply_next(batch)
                applied += count
                if count == 0:
                    break
            if once:
                self.stdout.write(f'applied {applied}')
                return
            feed.wait_for_ticks(idle_seconds)
