"""``python -m ledger.cli``: the same as the ``ledger`` command."""

from ledger.cli.entry import run

run()
