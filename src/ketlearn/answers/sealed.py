"""Sealed text: a worked solution that only the right answer opens.

An item's worked solution is shipped encrypted (AES-256-GCM, an authenticated cipher, from the
``cryptography`` package) under a key derived from the item's *right answer*: the same joined
lattice tokens the self-check hashes (:mod:`ketlearn.answers.canonical`), run through the same
scrypt derivation (:func:`~ketlearn.answers.canonical.digest`) but with **a salt of its own**.
So:

- the package holds only ciphertext; no readable sentence of a worked solution is in it;
- the stored check digest is never the key (another salt gives an unrelated scrypt output), and
  the key is never stored;
- a wrong answer gives other tokens, so another key, and the cipher's authentication tag rejects
  it (:class:`cryptography.exceptions.InvalidTag`): it cannot open the text, not even partly;
- an answer within the autograder's tolerance of the expected one yields the expected token
  among its candidates (:func:`~ketlearn.answers.canonical.candidate_tokens`), so every answer
  the autograder accepts opens it.

Opening costs one scrypt derivation per candidate token (usually one; 32 MiB, about 0.1-0.3 s).
The protection is the self-check's (see the threat model in :mod:`ketlearn.selfcheck`): an
answer with few possible values (a letter A-D) opens by trying each, exactly as it passes the
self-check by trying each.

The box also binds its *context* (``assignment/item``) as associated data, so a box copied to
another item does not open there.

Examples
--------
A cheap hash stands in for scrypt here (``hasher``); the package always uses scrypt.

>>> import hashlib
>>> fast = lambda token, salt, kdf: hashlib.sha256((salt + token).encode()).hexdigest()
>>> box = seal("Divide by the molar mass.", '["r+5"]', "ab" * 16, "00/q4", hasher=fast)
>>> sorted(box)
['box', 'nonce', 'salt']
>>> open_sealed(box, ['["r+4"]', '["r+5"]'], "00/q4", hasher=fast)
'Divide by the molar mass.'
>>> open_sealed(box, ['["r+4"]'], "00/q4", hasher=fast) is None
True
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Iterable

from .canonical import KDF, _encode_expected, _join, digest

__all__ = ["expected_token", "open_sealed", "seal"]


def expected_token(atoms: list[tuple]) -> str:
    """The joined token of an expected answer's atoms: what :func:`seal` derives the key from.

    It is the token :func:`~ketlearn.answers.canonical.expected_record` hashes; a learner's
    answer within tolerance yields it among its candidate tokens.

    >>> expected_token([("s", "oral"), ("n", 8.0, 1e-6, 0.0, True)])  # a route and a count
    '["soral","i8"]'
    """
    tokens = []
    for atom in atoms:
        tokens.append("s" + atom[1] if atom[0] == "s" else _encode_expected(atom)[1])
    return _join(tokens)


def _key(token: str, salt_hex: str, kdf: dict, hasher: Callable) -> bytes:
    key = bytes.fromhex(hasher(token, salt_hex, kdf))
    if len(key) < 32:
        raise ValueError(f"kdf dklen must be at least 32 bytes for AES-256; got {len(key)}")
    return key[:32]


def seal(
    text: str,
    token: str,
    salt_hex: str,
    context: str,
    kdf: dict = KDF,
    *,
    hasher: Callable = digest,
    nonce: bytes | None = None,
) -> dict:
    """Encrypt ``text`` under a key derived from an expected answer's ``token``.

    Parameters
    ----------
    text : str
        The worked solution (markdown).
    token : str
        The right answer's joined token (:func:`expected_token`).
    salt_hex : str
        A fresh random salt (hex, 16 bytes advised), **not** the check record's salt.
    context : str
        What the box belongs to (e.g. ``"00-orientation/q2_tests"``), bound as associated data.
    kdf : dict
        The scrypt parameters (:data:`~ketlearn.answers.canonical.KDF`).
    nonce : bytes, optional
        12 bytes; random by default. A key is used for one box only, so a fixed nonce (for a
        reproducible data file) is safe as long as the salt is fresh for each text.

    Returns
    -------
    dict
        ``{"salt", "nonce", "box"}`` (hex, hex, base64): what may be stored.
    """
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not salt_hex or len(bytes.fromhex(salt_hex)) < 8:
        raise ValueError("salt_hex must be at least 8 random bytes (hex)")
    nonce = os.urandom(12) if nonce is None else nonce
    if len(nonce) != 12:
        raise ValueError(f"nonce must be 12 bytes; got {len(nonce)}")
    key = _key(token, salt_hex, kdf, hasher)
    box = AESGCM(key).encrypt(nonce, text.encode("utf-8"), context.encode("utf-8"))
    return {"salt": salt_hex, "nonce": nonce.hex(), "box": base64.b64encode(box).decode("ascii")}


def open_sealed(
    sealed: dict,
    tokens: Iterable[str],
    context: str,
    kdf: dict = KDF,
    *,
    hasher: Callable = digest,
) -> str | None:
    """The text of ``sealed`` if one of ``tokens`` is the right answer's, else None.

    ``tokens`` are a learner's candidate tokens
    (:func:`~ketlearn.answers.canonical.candidate_tokens` with the check record's lattice).
    A wrong token fails the cipher's authentication: nothing of the text is revealed.
    """
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = bytes.fromhex(sealed["nonce"])
    box = base64.b64decode(sealed["box"])
    for token in tokens:
        key = _key(token, sealed["salt"], kdf, hasher)
        try:
            plain = AESGCM(key).decrypt(nonce, box, context.encode("utf-8"))
        except InvalidTag:
            continue
        return plain.decode("utf-8")
    return None
