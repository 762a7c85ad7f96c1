"""Shops' signing secrets, encrypted at rest (Fernet) with a key derived from SECRET_KEY.

HMAC checks need the secret itself, so it cannot be hashed. The key is derived with HKDF from
SECRET_KEY; the keys of SECRET_KEY_FALLBACKS still decrypt, so SECRET_KEY can be rotated.
"""

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_PURPOSE = b"soiree shop webhook secrets"


def _fernet_key(secret_key: str) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(secret_key.encode())
    return base64.urlsafe_b64encode(derived)


@lru_cache(maxsize=4)
def _cipher(secret_keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(key)) for key in secret_keys])


def _current_cipher() -> MultiFernet:
    return _cipher((settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])))


def encrypt_secret(secret: str) -> str:
    return _current_cipher().encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str:
    return _current_cipher().decrypt(token.encode()).decode()
