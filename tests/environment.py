"""Loaded by pytest before Django (`-p tests.environment`): the test process's environment.

Only defaults: a variable already set (e.g. DATABASE_URL for the PostgreSQL run) wins.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("TASKS_BACKEND", "immediate")
os.environ.setdefault("EMAIL_URL", "locmem://")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("SITE_URL", "http://testserver")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("MEDIA_ROOT", os.path.join(os.path.dirname(os.path.dirname(__file__)), ".test-media"))
os.environ.setdefault(
    "PRIVATE_MEDIA_ROOT", os.path.join(os.path.dirname(os.path.dirname(__file__)), ".test-private-media")
)
