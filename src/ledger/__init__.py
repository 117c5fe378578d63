"""The avhoppar case ledger: ``domain`` decides, ``application`` orchestrates, ``adapters`` store."""

import os

# No pydantic plugin is loaded: one, found through any installed package's entry points, would see
# every event and state the ledger validates, personal data included. Not looking for them also
# spares each command the scan of every installed package's metadata (a few ms of its start).
os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"
