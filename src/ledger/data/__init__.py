"""Reference data shipped with the ledger (Skatteverket's test identity numbers)."""
