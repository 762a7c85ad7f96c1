"""Soirée settings: one module, every value from the environment (see `.env.example`)."""

from pathlib import Path

import dj_database_url
from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from backend.env import (
    email_settings_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_rate,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set (or DEBUG=1 for a local development key).")
    SECRET_KEY = "development-only-key-never-used-when-debug-is-off"  # noqa: S105 - only with DEBUG=1

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Absolute base of links sent by e-mail and printed on packing slips.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Before the admin: texts marketing gives in both languages (each app's translation.py).
    "modeltranslation",
    "backend.apps.AdminConfig",  # Django's admin, sign-in attempts limited (backend/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_api_key",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "phonenumber_field",
    # Before django_tasks_db: our `db_worker` command (reconnects after a database restart) wins.
    "backend",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.facebook",
    "allauth.socialaccount.providers.instagram",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.tiktok",
    "ambassadors",
    "kits",
    "orders",
    "referrals",
    "recognition",
    "notifications",
    "wall",
    "feedback",
    "webhooks",
    "privacy",
]

MIDDLEWARE = [
    # Refused before anything reads them: a NUL in the path (404) or a cookie (400), an id in the path
    # beyond 64 bits (404), a body over REQUEST_MAX_BYTES (413).
    "backend.middleware.ImpossibleNamesMiddleware",
    "backend.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "csp.middleware.CSPMiddleware",
    "backend.middleware.ApiTimesInUtcMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "backend.middleware.PrivateWhenSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "backend.audit.StaffAuditMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"
ASGI_APPLICATION = "backend.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ambassadors.portal.context_processors.brand",
            ],
        },
    },
    # Plain-text e-mails: the same templates, never HTML-escaped ("Apéro tricot & vin" stays as typed).
    {
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
# A read replica for reports (`backend/db_router.py`); tests point it at `default`.
if env_str("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = dj_database_url.parse(
        env_str("DATABASE_REPLICA_URL", ""), conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0)
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["backend.db_router.ReportReplicaRouter"]
# The statements every order runs are planned once per connection (backend/planned.py); off behind a
# pooler in transaction mode, which cannot keep a session's prepared statements.
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
if DATABASE_PREPARED_STATEMENTS:
    # A prepared statement keeps one plan: left to choose, PostgreSQL plans each run of a statement
    # taking an array again (it cannot cost the array's length in advance), 0.7 ms a code look-up.
    # Only prepared statements read this setting; it travels with the connection's start-up.
    for _database in DATABASES.values():
        if _database["ENGINE"] == "django.db.backends.postgresql":
            _options = _database.setdefault("OPTIONS", {})
            _options["options"] = (
                f"{_options.get('options', '')} -c plan_cache_mode=force_generic_plan".strip()
            )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "backend.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Checks nothing: Django calls its `password_changed` after any password change is saved.
    {"NAME": "backend.passwords.TokensDieWithThePassword"},
]
LOGIN_URL = "portal:signin"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "portal:signin"
# E-mail and password sign in against the account's own address only (allauth's backend would also
# match any address listed for an account, verified or not); social sign-in needs no backend of its own.
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
# Social sign-in (django-allauth). Nobody signs up on their own: hosts exist once selected, applicants
# use a social account only to attach a verified identity to their application (ambassadors.hosts.social).
ACCOUNT_ADAPTER = "ambassadors.hosts.social.PortalAccountAdapter"
SOCIALACCOUNT_ADAPTER = "ambassadors.hosts.social.PortalSocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# allauth's own verification (its mails and confirmation pages) is not used: an address is verified
# when a one-time link we sent to it is used (backend.verified_addresses), and only then identifies.
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # never mail "you have no account" to whatever address is typed
SOCIALACCOUNT_LOGIN_ON_GET = False  # the provider buttons are POST forms (CSRF), no JavaScript needed
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # a provider's e-mail never signs anyone in by itself
# Providers come from SOCIAL_<PROVIDER>_CLIENT_ID / _SECRET, or from "Social applications" in the admin.
SOCIALACCOUNT_PROVIDERS: dict[str, dict] = {
    "facebook": {"METHOD": "oauth2", "SCOPE": ["public_profile", "email"]},
    "instagram": {},
    "google": {"SCOPE": ["profile", "email"]},
    "tiktok": {"SCOPE": ["user.info.basic", "user.info.profile"]},
}
for _provider, _config in SOCIALACCOUNT_PROVIDERS.items():
    _client_id = env_str(f"SOCIAL_{_provider.upper()}_CLIENT_ID", "")
    if _client_id:
        _config["APPS"] = [
            {"client_id": _client_id, "secret": env_str(f"SOCIAL_{_provider.upper()}_SECRET", "")}
        ]
# One-time sign-in links sent with invitations stay valid this long (and only until used).
SIGNIN_LINK_MAX_AGE_SECONDS = env_int("SIGNIN_LINK_MAX_AGE_SECONDS", 7 * 24 * 3600, minimum=60)
# The programme terms and privacy notice linked from every form that asks consent, unless a campaign
# gives its own (Campaign.terms_url / privacy_url).
PROGRAMME_TERMS_URL = env_str("PROGRAMME_TERMS_URL", "")
PRIVACY_NOTICE_URL = env_str("PRIVACY_NOTICE_URL", "")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Texts a host or guest reads (campaign texts, catalogue item names) are kept in each language
# (`<field>_en`, `<field>_fr`); a page shows the viewer's language, or the other one when it is missing.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "fr")
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en", "fr")}
TIME_ZONE = env_str("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "backend" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if not env_bool("STATIC_MANIFEST", not DEBUG)  # manifest needs `collectstatic` first
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
    # Personal files (queued packing slips, party photos): see `backend.private_files`.
    "private": {"BACKEND": "backend.private_files.PrivateFileStorage"},
}
# The private storage's folder lies outside every served one; its files leave only through views
# that check who asks, sent by Django or, when set, by the proxy from an internal location.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private-media")))
for _served in (Path(folder).resolve() for folder in (MEDIA_ROOT, STATIC_ROOT, *STATICFILES_DIRS)):
    _private = PRIVATE_MEDIA_ROOT.resolve()
    if _private.is_relative_to(_served) or _served.is_relative_to(_private):
        raise ImproperlyConfigured(f"PRIVATE_MEDIA_ROOT must lie outside every served folder ({_served}).")
PRIVATE_MEDIA_SENDFILE = env_choice(
    "PRIVATE_MEDIA_SENDFILE", "off", {"off", "x-accel-redirect", "x-sendfile"}
)
PRIVATE_MEDIA_INTERNAL_URL = env_str("PRIVATE_MEDIA_INTERNAL_URL", "/private-media/")
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False

# E-mail through EMAIL_URL: SMTP in production (or locmem in tests). The console backend (the default
# with DEBUG=1) would print every sign-in link to the server's log, so without DEBUG it must be chosen.
EMAIL_URL = env_str("EMAIL_URL", "console://" if DEBUG else "")
if not EMAIL_URL:
    raise ImproperlyConfigured(
        "EMAIL_URL must be set when DEBUG is off, e.g. smtp://user:password@host:587?tls=1 "
        "(console:// prints e-mails, sign-in links included, to the server log)."
    )
globals().update(email_settings_from_url(EMAIL_URL))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Soirée <hello@soiree.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env_str("REDIS_URL", "")}
        if env_str("REDIS_URL", "")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Background work goes through the Django Tasks API. `database` needs `manage.py db_worker`;
# `immediate` runs each task on enqueue (tests, tiny installs); `rq` queues on Redis (`REDIS_URL`)
# for `manage.py rqworker --job-class django_tasks_rq.Job` workers, as many as the load needs.
TASKS_BACKEND = env_choice("TASKS_BACKEND", "database", {"database", "immediate", "rq"})
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "rq": "django_tasks_rq.RQBackend",
        }[TASKS_BACKEND],
        **({"QUEUES": ["default"]} if TASKS_BACKEND == "rq" else {}),
    }
}
if TASKS_BACKEND == "rq":
    if not env_str("REDIS_URL", ""):
        raise ImproperlyConfigured("TASKS_BACKEND=rq needs REDIS_URL (redis://host:6379/0).")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": env_str("REDIS_URL", ""), "DEFAULT_TIMEOUT": 600}}
# With the database backend, /healthz answers 503 once the oldest task ready to run has waited longer
# than this: no worker is taking tasks (0 turns the check off).
TASKS_MAX_WAIT_SECONDS = env_int("TASKS_MAX_WAIT_SECONDS", 600, minimum=0)

# The public photo wall: how long a campaign's wall and feed stay cached (every approval or withdrawal
# drops it at once), and how long a signed photo URL of the wall stays valid.
WALL_CACHE_SECONDS = env_int("WALL_CACHE_SECONDS", 300, minimum=0)
WALL_PHOTO_URL_MAX_AGE = env_int("WALL_PHOTO_URL_MAX_AGE", 3600, minimum=60)

# Outgoing webhooks: each request waits this long for the receiver's answer (a timeout is a failure);
# a failed delivery is retried with exponential backoff (1 min, 2, 4, ... at most an hour apart) for
# WEBHOOK_RETRY_HOURS; an endpoint that failed every attempt for WEBHOOK_DISABLE_AFTER_HOURS (or until a
# delivery gave up) and at least WEBHOOK_DISABLE_AFTER_FAILURES times in a row is disabled, admins told.
# WEBHOOK_ALLOW_LOCAL_URLS lets endpoints use http and private or loopback addresses (tests, a local
# receiver); off, only https URLs to public addresses are taken (DEBUG allows both).
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
WEBHOOK_RETRY_HOURS = env_int("WEBHOOK_RETRY_HOURS", 24, minimum=1)
WEBHOOK_DISABLE_AFTER_HOURS = env_int("WEBHOOK_DISABLE_AFTER_HOURS", 24, minimum=0)
WEBHOOK_DISABLE_AFTER_FAILURES = env_int("WEBHOOK_DISABLE_AFTER_FAILURES", 20, minimum=1)
WEBHOOK_ALLOW_LOCAL_URLS = env_bool("WEBHOOK_ALLOW_LOCAL_URLS", False)

# Referral links: where unknown codes land, and how long click logs are kept.
DEFAULT_SHOP_URL = env_str("DEFAULT_SHOP_URL", "https://shop.example.com/")
CLICK_RETENTION_DAYS = env_int("CLICK_RETENTION_DAYS", 90, minimum=1)
# Retention after a campaign closes: unselected applications are deleted, guests anonymised.
UNSELECTED_APPLICATION_RETENTION_DAYS = env_int("UNSELECTED_APPLICATION_RETENTION_DAYS", 180, minimum=1)
GUEST_RETENTION_DAYS = env_int("GUEST_RETENTION_DAYS", 365, minimum=1)
# Results of finished tasks (the database backend's table) are deleted after this many days.
TASK_RESULT_RETENTION_DAYS = env_int("TASK_RESULT_RETENTION_DAYS", 14, minimum=1)
# The most one manual ledger adjustment may add or take back, in the campaign's currency (whole units).
LEDGER_ADJUSTMENT_LIMIT = env_int("LEDGER_ADJUSTMENT_LIMIT", 1000, minimum=1)

# Stripe: the API key for calls, the endpoint secret that signs webhooks, and (tests, local fakes)
# another base URL for the API. Empty key: nothing is sent to Stripe.
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", "")
# The Connect endpoint's own signing secret: connected accounts' events (`account.updated`).
STRIPE_CONNECT_WEBHOOK_SECRET = env_str("STRIPE_CONNECT_WEBHOOK_SECRET", "")
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "")
# Payouts: how many times Stripe may refuse one payout before it is marked failed and its amount
# goes back to the host's approved balance (marketing then retries or cancels it).
PAYOUT_MAX_REFUSALS = env_int("PAYOUT_MAX_REFUSALS", 3, minimum=1)

# A salt for hashing IP addresses and user agents: raw IPs are never stored.
IP_HASH_SALT = env_str("IP_HASH_SALT", SECRET_KEY)
# How many proxies we run in front of the application (a TLS terminator, a load balancer), each
# appending to X-Forwarded-For. 0: the header is ignored, the socket's peer is the client. Read by
# `backend.client_address.client_ip`, which throttles, risk flags and click hashes use; DRF and
# allauth are told the same number.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# Parties: the most guests one party's list may hold, and the largest accepted photo.
PARTY_MAX_GUESTS = env_int("PARTY_MAX_GUESTS", 200, minimum=1)
PARTY_PHOTO_MAX_BYTES = env_int("PARTY_PHOTO_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
# The largest request body accepted, checked on Content-Length before any of it is read (413 above).
# By default a party report's five photos of the largest size, plus 1 MiB for the rest of the form.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 5 * PARTY_PHOTO_MAX_BYTES + 1024 * 1024, minimum=1024)

# Packing slips: the brand printed on them, and the largest batch answered directly (larger ones run
# as a task with a progress bar and a download when ready).
BRAND_NAME = env_str("BRAND_NAME", "Soirée")
PACKING_SLIPS_DIRECT_MAX = env_int("PACKING_SLIPS_DIRECT_MAX", 50, minimum=1)
# Where hosts send their kits back, printed on every slip's return form: its lines separated by "|".
# One warehouse receives the returns of every campaign. Unset, the form points to the prepaid label.
KIT_RETURN_ADDRESS = [line.strip() for line in env_str("KIT_RETURN_ADDRESS", "").split("|") if line.strip()]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "backend.filters.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "backend.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "backend.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "backend.negotiation.ContentNegotiation",
    "DEFAULT_PARSER_CLASSES": [
        "backend.parsers.JSONParser",  # DRF's, refusing bodies nested too deep
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "applications": env_rate("THROTTLE_APPLICATIONS", "10/hour"),
        "guest_registration": env_rate("THROTTLE_GUEST_REGISTRATION", "30/hour"),
        "redirects": env_rate("THROTTLE_REDIRECTS", "120/minute"),
        "token_login": env_rate("THROTTLE_TOKEN_LOGIN", "10/minute"),
        "password_reset": env_rate("THROTTLE_PASSWORD_RESET", "5/hour"),
        "anon": env_rate("THROTTLE_ANON", "300/hour"),
        "wall_feed": env_rate("THROTTLE_WALL_FEED", "1200/hour"),
    },
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "backend.errors.SoireeExceptionHandler",
    "EXCEPTION_FORMATTER_CLASS": "backend.errors.SoireeExceptionFormatter",
    # 409 is documented per operation (backend.openapi.CONFLICT), where a conflict can happen.
    "ALLOWED_ERROR_STATUS_CODES": ["400", "401", "403", "404", "405", "406", "415", "429", "500"],
}

REST_KNOX = {
    "TOKEN_TTL": __import__("datetime").timedelta(hours=env_int("STAFF_TOKEN_TTL_HOURS", 12, minimum=1)),
    "AUTO_REFRESH": False,
    "USER_SERIALIZER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Soirée API",
    "DESCRIPTION": (
        "Home-party ambassador programme: recruitment, kits, parties, orders, attribution, rewards.\n\n"
        "## Lists\n\n"
        "Every list answers `{next, previous, results}`: follow `next` (null on the last page) or "
        "`previous`; `page_size` from 1 to 500. The `cursor` is opaque: a blank, altered or stale one, or "
        "one from another `ordering`, answers 404. Rows sharing a value are neither repeated nor skipped; "
        "rows without a value come last either way. Lists bounded by a campaign's size add `total`, the "
        "rows matching the filters.\n\n"
        "Time ranges are `<moment>_after` (included) and `<moment>_before` (excluded), ISO 8601. "
        "`campaign` takes a campaign's id or slug on every list. A host's own lists (`/me/...`) take the "
        "filters of the staff's lists of the same rows."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
        "AttributionMethodEnum": "referrals.models.AttributionMethod.choices",
        "ReasonEnum": "referrals.models.AttributionReason.choices",
        "ShipmentStatusEnum": "kits.models.ShipmentStatus.choices",
        "PartyStatusEnum": "ambassadors.models.PartyStatus.choices",
        "CampaignStatusEnum": "ambassadors.models.CampaignStatus.choices",
        "ApplicationStatusEnum": "ambassadors.models.ApplicationStatus.choices",
        "HostStatusEnum": "ambassadors.models.HostStatus.choices",
        "KitReturnPolicyEnum": "ambassadors.models.KitReturnPolicy.choices",
        "OrderStatusEnum": "orders.models.OrderStatus.choices",
        "WebhookEventTypeEnum": "webhooks.models.EventType.choices",
        "WebhookDeliveryStatusEnum": "webhooks.models.DeliveryStatus.choices",
        "OrderSourceEnum": "orders.models.OrderSource.choices",
        "RefundStatusEnum": "orders.models.RefundStatus.choices",
        "LedgerEntryKindEnum": "referrals.models.EntryKind.choices",
        "LedgerEntryStateEnum": "referrals.models.EntryState.choices",
        "PayoutMethodEnum": "referrals.models.PayoutMethod.choices",
        "PayoutStatusEnum": "referrals.models.PayoutStatus.choices",
        "MilestoneKindEnum": "recognition.models.MilestoneKind.choices",
        "WallPhotoStatusEnum": "wall.models.WallPhotoStatus.choices",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "backend.openapi.describe_list_indexes_in_error_attrs",
        "backend.openapi.describe_error_shapes",
    ],
}

PHONENUMBER_DEFAULT_FORMAT = "E164"
PHONENUMBER_DB_FORMAT = "E164"

# Security: safe by default, relaxed only by DEBUG=1 (local development) or explicit variables.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy: our own scripts, styles and images only; the few inline scripts carry the
# request's nonce. The admin and Swagger UI keep their own inline code and are left out.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/api/v1/docs/"],
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:"],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    },
}
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "backend.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
