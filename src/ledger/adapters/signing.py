"""Signed digests: the chain's head signed with an Ed25519 key kept outside the database.

A digest proves the store has only grown since it was taken — as long as the digest itself was not
rewritten along with the store. Signed with a key the ledger's users do not hold (the unit keeps it
with the registrator, not next to the store), an edited or recomputed digest no longer verifies
against the public key. Keys are PEM files (``openssl genpkey -algorithm ed25519``); the
``cryptography`` library signs and checks.
"""

from __future__ import annotations

from pathlib import Path

from ledger.adapters.chain import Digest
from ledger.domain.errors import DigestInvalid, FileUnusable


def _read_key(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        raise FileUnusable(file=path.name, reason="not_found" if not path.exists() else "permission") from None


def sign(digest: Digest, private_key: Path) -> bytes:
    """The Ed25519 signature of the digest's line."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(_read_key(private_key), password=None)
    except (ValueError, TypeError):
        raise FileUnusable(file=private_key.name, reason="not_a_key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise FileUnusable(file=private_key.name, reason="not_a_key")
    return key.sign(digest.line().encode("ascii"))


def check_signatures(signed: list[tuple[Digest, bytes | None]], public_key: Path) -> None:
    """Every digest must carry a signature that the public key verifies (else :class:`DigestInvalid`)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        key = load_pem_public_key(_read_key(public_key))
    except (ValueError, TypeError):
        raise FileUnusable(file=public_key.name, reason="not_a_key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise FileUnusable(file=public_key.name, reason="not_a_key")
    for number, (digest, signature) in enumerate(signed, start=1):
        if signature is None:
            raise DigestInvalid(reason="not_signed", line=number)
        try:
            key.verify(signature, digest.line().encode("ascii"))
        except InvalidSignature:
            raise DigestInvalid(reason="signature", line=number) from None
