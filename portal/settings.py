"""Settings: the one place that reads the environment.

Every setting has an embedded default that works on a developer's machine. With
PORTAL_ENV=production the portal refuses to start on a default that is unsafe in
production and names the variable to set.
"""
from __future__ import annotations

import base64
import collections
import dataclasses
import json
import math
import os
import re
import secrets
from pathlib import Path
from typing import Mapping

from portal.private_files import create_private, private_folder

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class UnsafeSettings(RuntimeError):
    """Raised in production when a setting is left on an unsafe default."""


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _size(value: str) -> int:
    """Parse '20MB', '2GB', '512KB' or a plain byte count."""
    text = value.strip().upper().replace(" ", "")
    for suffix, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024), ("B", 1)):
        if text.endswith(suffix):
            return int(float(text[: -len(suffix)]) * factor)
    return int(text)


def strong_secret(value: str) -> bool:
    # Length alone lets "a" * 64 through: a random secret also spreads over many symbols. The bounds sit
    # below the worst of 200,000 `openssl rand -hex 16` secrets (9 distinct, 2.9 bits), so none is refused.
    if len(value) < 32 or len(set(value)) < 8:
        return False
    bits = -sum(n / len(value) * math.log2(n / len(value)) for n in collections.Counter(value).values())
    return bits >= 2.5


def _load_local_secrets(var_dir: Path) -> dict[str, str]:
    """Secrets for development, generated on first run and kept in var/ (never committed)."""
    path = var_dir / "local-secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    private_folder(var_dir)
    generated = {
        "SECRET_KEY": secrets.token_urlsafe(48),
        "FILE_STORE_KEK": base64.b64encode(secrets.token_bytes(32)).decode(),
        "CASE_SYSTEM_SECRET": secrets.token_urlsafe(32),
    }
    with os.fdopen(create_private(path), "w") as handle:
        json.dump(generated, handle, indent=2)
    return generated


NATIONS = ("england", "wales", "scotland", "northern-ireland")  # portal.working_days.NATIONS' keys


@dataclasses.dataclass(frozen=True)
class Settings:
    env: str = "development"
    service_name: str = "Public services portal"
    public_body_name: str = "Example Council"
    public_body_url: str = ""  # the body's own website, where the header's name links; blank: the portal's start page
    copyright_notice: str = ""  # the footer's copyright line; blank: "© " and the body's name. A Crown body: "© Crown copyright"
    # Welsh (portal/i18n.py): whether pages offer it, the language a page opens in without a choice, and the
    # names in Welsh (from_env copies the English name when a body sets only that: a name may be the same in both)
    welsh_offered: bool = False
    default_language: str = "en"  # en | cy
    service_name_cy: str = "Porth gwasanaethau cyhoeddus"
    public_body_name_cy: str = "Cyngor Enghreifftiol"
    contact_email: str = "information.requests@example.gov.uk"
    body_nation: str = "england"  # whose bank holidays a clock uses where the law is not UK-wide (working_days)
    postal_address: str = ""  # "Other ways to ask" on the start pages, each shown when set (commas or new lines)
    telephone: str = ""  # for example "01992 555 555 (Monday to Friday, 9am to 5pm)"
    in_person: str = ""  # for example "Ask at the reception of Wallfields, Pegs Lane, Hertford SG13 8EQ"
    # the body's other email addresses, phone numbers and postcodes, ";"-separated, that the Disclosure Log's
    # publish guard lets through (the contact email, telephone and addresses above always are)
    guard_allow: str = ""
    sar_identity: str = "if-needed"  # the SAR form asks for proof of identity: if-needed (ICO: only with doubt) | always
    feedback_url: str = "mailto:information.requests@example.gov.uk?subject=Feedback"
    base_url: str = "http://127.0.0.1:5000"
    var_dir: Path = PROJECT_ROOT / "var"
    secret_key: str = ""
    # database and jobs
    database_url: str = ""
    job_backend: str = "sqlite"  # sqlite | redis | immediate
    redis_url: str = "redis://127.0.0.1:6379/0"
    ratelimit_storage_uri: str = "portal-memory://"  # one process only: production sets Redis
    ratelimit_default: str = "300 per minute"
    # files
    file_store: str = "local"  # local | s3
    file_store_path: Path | None = None
    file_store_kek: str = ""  # base64 of 32 bytes: the key-encryption key
    s3_bucket: str = "portal-files"
    s3_endpoint_url: str = ""
    s3_region: str = "eu-west-2"
    # mail
    mailer: str = "outbox"  # outbox | smtp | notify
    mail_from: str = "no-reply@example.gov.uk"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    notify_api_key: str = ""
    notify_base_url: str = "https://api.notifications.service.gov.uk"
    notify_template_id: str = ""
    # virus scanning
    clamd_socket: str = ""
    clamd_host: str = ""
    clamd_port: int = 3310
    clamd_timeout: float = 120.0
    # postcodes
    postcodes_base_url: str = "https://api.postcodes.io"
    postcodes_timeout: float = 2.0
    # address finder: the premises at a postcode from the OS Places API when a key is set (else postcodes.io's town)
    os_places_api_key: str = ""
    os_places_base_url: str = "https://api.os.uk/search/places/v1"
    os_places_timeout: float = 3.0
    # case system
    case_system_url: str = ""
    case_system_secret: str = ""
    case_system_timeout: float = 10.0
    case_system_retry_hours: int = 72  # keep retrying at least this long, then park as failed
    delivery_lease_seconds: int = 120  # one worker's hold on a submission while it sends it (outlives an attempt)
    case_system_inline_max: int = 0  # attach files of at most this many bytes inline (0: always by signed URL)
    file_url_days: int = 7  # how long a signed file URL in a payload works
    retention_days: int = 30  # personal data kept this long after the case system has the submission
    # capture
    draft_idle_minutes: int = 60
    save_days: int = 28  # "Save and come back later" keeps a draft this long (capture/saving.py)
    upload_max_file: int = 20 * 1024 * 1024
    upload_max_total: int = 100 * 1024 * 1024
    # secure share
    share_default_days: int = 30
    share_max_days: int = 90
    share_idle_minutes: int = 30
    share_reminder_days: int = 3
    share_max_document: int = 2 * 1024**3
    share_webhook_url: str = ""

    search_cache_size: int = 2000  # searches kept per web process until the index changes (0: none)
    # auto: PostgreSQL full text with a PostgreSQL database, else tantivy; tantivy-follower: a local tantivy copy
    # on each host kept in step from the database's change log (several web servers on one PostgreSQL)
    search_engine: str = "auto"
    search_follow_seconds: float = 1.0  # tantivy-follower: how often a process checks the database for changes
    # requests
    max_content_length: int = 110 * 1024 * 1024
    log_level: str = "INFO"
    log_format: str = "json"  # json | console: from_env makes console the default outside production
    scanner_warning: bool = True  # warn at start-up when virus scanning is off (make run warns once for all)
    proxy_hops: int = 0  # trusted reverse proxies in front (X-Forwarded-For), for per-address rate limits
    session_cookie_secure: bool = True
    hsts_preload: bool = False  # ask browsers to preload HTTPS-only for the domain and every subdomain

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def copyright_line(self) -> str:
        return self.copyright_notice.strip() or f"© {self.public_body_name}"

    @property
    def crown_copyright(self) -> bool:
        """Only the Crown's own bodies show GOV.UK's crest and its link to the Crown copyright page, and only
        they use GOV.UK's header and " - GOV.UK" in page titles: a council's service is not on GOV.UK."""
        return "crown copyright" in self.copyright_line.lower()

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.var_dir / 'portal.sqlite3'}"

    @property
    def store_path(self) -> Path:
        return self.file_store_path or (self.var_dir / "files")

    @property
    def outbox_path(self) -> Path:
        return self.var_dir / "outbox"

    @property
    def spool_path(self) -> Path:
        """Where uploads are spooled while they are checked (portal/spool.py): never /tmp."""
        return self.var_dir / "spool"

    @property
    def scanner_configured(self) -> bool:
        return bool(self.clamd_socket or self.clamd_host)

    @property
    def kek_bytes(self) -> bytes:
        try:
            key = base64.b64decode(self.file_store_kek, validate=True)
        except ValueError:
            key = b""
        if len(key) != 32:
            raise UnsafeSettings("FILE_STORE_KEK must be the base64 encoding of 32 random bytes")
        return key

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> "Settings":
        env = dict(os.environ if environ is None else environ)
        get = env.get
        values: dict = {}
        values["env"] = get("PORTAL_ENV", cls.env)
        var_dir = Path(get("PORTAL_VAR_DIR", str(cls.var_dir)))
        values["var_dir"] = var_dir
        text = {
            "service_name": "SERVICE_NAME", "public_body_name": "PUBLIC_BODY_NAME",
            "public_body_url": "PUBLIC_BODY_URL",
            "contact_email": "CONTACT_EMAIL", "feedback_url": "FEEDBACK_URL", "base_url": "BASE_URL",
            "secret_key": "SECRET_KEY", "database_url": "DATABASE_URL", "job_backend": "JOB_BACKEND",
            "redis_url": "REDIS_URL", "ratelimit_storage_uri": "RATELIMIT_STORAGE_URI",
            "ratelimit_default": "RATELIMIT_DEFAULT", "file_store": "FILE_STORE",
            "file_store_kek": "FILE_STORE_KEK", "s3_bucket": "S3_BUCKET", "s3_endpoint_url": "S3_ENDPOINT_URL",
            "s3_region": "S3_REGION", "mailer": "MAILER", "mail_from": "MAIL_FROM", "smtp_host": "SMTP_HOST",
            "smtp_username": "SMTP_USERNAME", "smtp_password": "SMTP_PASSWORD",
            "notify_api_key": "NOTIFY_API_KEY", "notify_base_url": "NOTIFY_BASE_URL",
            "notify_template_id": "NOTIFY_TEMPLATE_ID", "clamd_socket": "CLAMD_SOCKET", "clamd_host": "CLAMD_HOST",
            "postcodes_base_url": "POSTCODES_BASE_URL", "case_system_url": "CASE_SYSTEM_URL",
            "os_places_api_key": "OS_PLACES_API_KEY", "os_places_base_url": "OS_PLACES_BASE_URL",
            "case_system_secret": "CASE_SYSTEM_SECRET", "log_level": "LOG_LEVEL",
            "log_format": "LOG_FORMAT",
            "share_webhook_url": "SHARE_WEBHOOK_URL", "body_nation": "BODY_NATION",
            "sar_identity": "SAR_IDENTITY", "postal_address": "POSTAL_ADDRESS", "telephone": "TELEPHONE",
            "in_person": "IN_PERSON", "copyright_notice": "COPYRIGHT_NOTICE", "default_language": "DEFAULT_LANGUAGE",
            "service_name_cy": "SERVICE_NAME_CY", "public_body_name_cy": "PUBLIC_BODY_NAME_CY",
            "guard_allow": "GUARD_ALLOW", "search_engine": "SEARCH_ENGINE",
        }
        for field, name in text.items():
            if name in env:
                values[field] = env[name]
        for field, name, kind in (
            ("smtp_port", "SMTP_PORT", int), ("clamd_port", "CLAMD_PORT", int),
            ("clamd_timeout", "CLAMD_TIMEOUT", float), ("postcodes_timeout", "POSTCODES_TIMEOUT", float),
            ("os_places_timeout", "OS_PLACES_TIMEOUT", float),
            ("smtp_starttls", "SMTP_STARTTLS", _bool), ("session_cookie_secure", "SESSION_COOKIE_SECURE", _bool),
            ("hsts_preload", "HSTS_PRELOAD", _bool), ("scanner_warning", "SCANNER_WARNING", _bool),
            ("welsh_offered", "WELSH_OFFERED", _bool),
            ("max_content_length", "MAX_CONTENT_LENGTH", _size), ("proxy_hops", "PROXY_HOPS", int),
            ("draft_idle_minutes", "DRAFT_IDLE_MINUTES", int), ("save_days", "SAVE_DAYS", int),
            ("case_system_timeout", "CASE_SYSTEM_TIMEOUT", float), ("case_system_retry_hours", "CASE_SYSTEM_RETRY_HOURS", int),
            ("delivery_lease_seconds", "DELIVERY_LEASE_SECONDS", int),
            ("case_system_inline_max", "CASE_SYSTEM_INLINE_MAX", _size), ("file_url_days", "FILE_URL_DAYS", int),
            ("retention_days", "RETENTION_DAYS", int),
            ("share_default_days", "SHARE_DEFAULT_DAYS", int), ("share_max_days", "SHARE_MAX_DAYS", int),
            ("share_idle_minutes", "SHARE_IDLE_MINUTES", int), ("share_reminder_days", "SHARE_REMINDER_DAYS", int),
            ("share_max_document", "SHARE_MAX_DOCUMENT", _size), ("upload_max_file", "UPLOAD_MAX_FILE", _size),
            ("upload_max_total", "UPLOAD_MAX_TOTAL", _size), ("search_cache_size", "SEARCH_CACHE_SIZE", int),
            ("search_follow_seconds", "SEARCH_FOLLOW_SECONDS", float),
        ):
            if name in env:
                try:
                    values[field] = kind(env[name])
                except ValueError as exc:
                    raise UnsafeSettings(f"{name} is not valid: {exc}") from None
        for name in ("service_name", "public_body_name"):  # a body that names itself only in English keeps that name
            if name in values and f"{name}_cy" not in values:
                values[f"{name}_cy"] = values[name]
        if "FILE_STORE_PATH" in env:
            values["file_store_path"] = Path(env["FILE_STORE_PATH"])
        if values["env"] != "production" and "clamd_socket" not in values and "clamd_host" not in values:
            found = next((p for p in ("/run/clamav/clamd.ctl", "/var/run/clamav/clamd.ctl") if Path(p).exists()), "")
            values["clamd_socket"] = found
        values.update(overrides)
        if values["env"] != "production":
            needed = [f for f in ("secret_key", "file_store_kek", "case_system_secret") if not values.get(f)]
            if needed:
                local = _load_local_secrets(values["var_dir"])
                for field in needed:
                    values[field] = local[field.upper()]
            values.setdefault("session_cookie_secure", False)
            values.setdefault("log_format", "console")
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse unsafe defaults in production, naming the variable to set."""
        if self.env not in {"development", "test", "production"}:
            raise UnsafeSettings("PORTAL_ENV must be development, test or production")
        if self.job_backend not in {"sqlite", "redis", "immediate"}:
            raise UnsafeSettings("JOB_BACKEND must be sqlite, redis or immediate")
        if self.file_store not in {"local", "s3"}:
            raise UnsafeSettings("FILE_STORE must be local or s3")
        if self.log_format not in {"console", "json"}:
            raise UnsafeSettings("LOG_FORMAT must be console or json")
        if self.mailer not in {"outbox", "smtp", "notify"}:
            raise UnsafeSettings("MAILER must be outbox, smtp or notify")
        if self.search_engine not in {"auto", "postgres", "tantivy", "tantivy-follower"}:
            raise UnsafeSettings("SEARCH_ENGINE must be auto, postgres, tantivy or tantivy-follower")
        if self.search_engine == "postgres" and not self.sqlalchemy_url.startswith("postgresql"):
            raise UnsafeSettings("SEARCH_ENGINE=postgres needs a PostgreSQL DATABASE_URL")
        if not 0 <= self.search_follow_seconds <= 3600:
            raise UnsafeSettings("SEARCH_FOLLOW_SECONDS must be between 0 and 3600")
        if self.body_nation not in NATIONS:
            raise UnsafeSettings(f"BODY_NATION must be one of {', '.join(NATIONS)}")  # as portal.working_days
        if self.sar_identity not in {"if-needed", "always"}:
            raise UnsafeSettings("SAR_IDENTITY must be if-needed or always")
        if self.public_body_url and not re.fullmatch(r"https?://[^\s/?#]+(?:[/?#]\S*)?", self.public_body_url):
            raise UnsafeSettings("PUBLIC_BODY_URL must be the body's website, like https://www.example.gov.uk/")
        if self.default_language not in {"en", "cy"}:
            raise UnsafeSettings("DEFAULT_LANGUAGE must be en or cy")
        if self.default_language == "cy" and not self.welsh_offered:
            raise UnsafeSettings("DEFAULT_LANGUAGE=cy needs WELSH_OFFERED=true (pages in Welsh offer English too)")
        if self.file_store_kek:
            self.kek_bytes  # noqa: B018 - validates the key's shape
        if self.delivery_lease_seconds < 2 * self.case_system_timeout + 5:
            # A lease that runs out while an attempt is still waiting for the case system lets a second
            # worker send the same submission at the same moment.
            raise UnsafeSettings("DELIVERY_LEASE_SECONDS must be at least twice CASE_SYSTEM_TIMEOUT plus 5 seconds")
        if not self.is_production:
            return
        problems = []
        if not strong_secret(self.secret_key):
            problems.append("SECRET_KEY (at least 32 random characters, e.g. from secrets.token_urlsafe(32))")
        if not self.file_store_kek or len(set(self.kek_bytes)) < 8:
            problems.append("FILE_STORE_KEK (base64 of 32 random bytes)")
        if not strong_secret(self.case_system_secret):
            problems.append("CASE_SYSTEM_SECRET (at least 32 random characters, shared with the case system)")
        if not self.database_url or self.database_url.lower().startswith("sqlite"):
            problems.append("DATABASE_URL (a PostgreSQL database; SQLite is for development)")
        if self.job_backend != "redis":
            problems.append("JOB_BACKEND (redis; sqlite and immediate are for development)")
        if not self.scanner_configured:
            problems.append("CLAMD_SOCKET or CLAMD_HOST (uploads must be virus scanned)")
        if self.mailer == "outbox":
            problems.append("MAILER (smtp or notify; the outbox folder sends nothing)")
        if self.mailer == "notify" and not self.notify_api_key:
            problems.append("NOTIFY_API_KEY")
        if self.mailer == "notify" and not self.notify_template_id:
            problems.append("NOTIFY_TEMPLATE_ID")
        if not self.base_url.startswith("https://"):
            problems.append("BASE_URL (the public https:// address of the portal)")
        if self.os_places_api_key and not self.os_places_base_url.startswith("https://"):
            problems.append("OS_PLACES_BASE_URL (https://: the API key goes with every request)")
        if self.ratelimit_storage_uri.startswith(("memory://", "portal-memory://")):
            problems.append("RATELIMIT_STORAGE_URI (redis://..., shared by every web process)")
        if not self.session_cookie_secure:
            problems.append("SESSION_COOKIE_SECURE (must be true)")
        if problems:
            raise UnsafeSettings(
                "PORTAL_ENV=production refuses to start on unsafe defaults. Set: " + "; ".join(problems)
            )
