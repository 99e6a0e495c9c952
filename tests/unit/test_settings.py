import base64
import secrets

import pytest

from portal.settings import Settings, UnsafeSettings, strong_secret

SAFE_PRODUCTION = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": "zuxYBWFIxxgTOmdLjdFUQ0LiTEV0rvctZHdIQToyaijLaSuMNEFd81x9Y3WHsws",
    "FILE_STORE_KEK": "bq8yUsbUUD4R2iZ2FISo7FoGW6jsC8EYpk4JDg26z/8=",
    "CASE_SYSTEM_SECRET": "7XfpKUno41XreOxACXP98hzXzIr0SmRoock0C6D_OSE",
    "DATABASE_URL": "postgresql://portal@db/portal",
    "JOB_BACKEND": "redis",
    "CLAMD_HOST": "clamd.internal",
    "MAILER": "smtp",
    "BASE_URL": "https://requests.example.gov.uk",
    "RATELIMIT_STORAGE_URI": "redis://redis:6379/1",
    "SESSION_COOKIE_SECURE": "true",
}


def test_safe_production_settings_start(tmp_path):
    settings = Settings.from_env({**SAFE_PRODUCTION, "PORTAL_VAR_DIR": str(tmp_path)})
    assert settings.is_production
    assert settings.sqlalchemy_url == "postgresql://portal@db/portal"
    assert not (tmp_path / "local-secrets.json").exists(), "production never generates secrets"


@pytest.mark.parametrize(
    ("variable", "unsafe_value"),
    [
        ("SECRET_KEY", None),
        ("SECRET_KEY", "short"),
        ("SECRET_KEY", "a" * 64),
        ("SECRET_KEY", "ab" * 32),
        ("SECRET_KEY", "password" * 4),
        ("FILE_STORE_KEK", None),
        ("FILE_STORE_KEK", base64.b64encode(bytes(32)).decode()),
        ("FILE_STORE_KEK", base64.b64encode(bytes(range(7)) * 4 + bytes(4)).decode()),
        ("CASE_SYSTEM_SECRET", None),
        ("CASE_SYSTEM_SECRET", "shared-secret"),
        ("CASE_SYSTEM_SECRET", "a" * 64),
        ("CASE_SYSTEM_SECRET", "ab" * 32),
        ("CASE_SYSTEM_SECRET", "password" * 4),
        ("DATABASE_URL", None),
        ("DATABASE_URL", "sqlite:////srv/portal/var/portal.sqlite3"),
        ("DATABASE_URL", "SQLite+pysqlite:///portal.sqlite3"),
        ("JOB_BACKEND", None),
        ("JOB_BACKEND", "sqlite"),
        ("JOB_BACKEND", "immediate"),
        ("CLAMD_HOST", None),
        ("MAILER", "outbox"),
        ("BASE_URL", "http://requests.example.gov.uk"),
        ("BASE_URL", "requests.example.gov.uk"),
        ("RATELIMIT_STORAGE_URI", None),
        ("RATELIMIT_STORAGE_URI", "memory://"),
        ("RATELIMIT_STORAGE_URI", "portal-memory://"),
        ("SESSION_COOKIE_SECURE", "false"),
    ],
)
def test_production_refuses_each_unsafe_default_naming_the_variable(tmp_path, variable, unsafe_value):
    environ = {**SAFE_PRODUCTION, "PORTAL_VAR_DIR": str(tmp_path)}
    if unsafe_value is None:
        environ.pop(variable)
    else:
        environ[variable] = unsafe_value
    with pytest.raises(UnsafeSettings) as excinfo:
        Settings.from_env(environ)
    assert variable in str(excinfo.value)


def test_every_generated_secret_is_strong_enough(tmp_path):
    # The rule must never refuse a real random secret: try the forms the refusal and local-secrets.json suggest.
    for _ in range(300):
        environ = {**SAFE_PRODUCTION, "PORTAL_VAR_DIR": str(tmp_path),
                   "SECRET_KEY": secrets.token_urlsafe(32), "CASE_SYSTEM_SECRET": secrets.token_hex(32),
                   "FILE_STORE_KEK": base64.b64encode(secrets.token_bytes(32)).decode()}
        Settings.from_env(environ)
        for secret in (secrets.token_urlsafe(32), secrets.token_urlsafe(48), secrets.token_hex(32),
                       secrets.token_hex(16)):
            assert strong_secret(secret), secret


def test_strong_secret_rule():
    assert not strong_secret("a" * 64) and not strong_secret("ab" * 32) and not strong_secret("password" * 4)
    assert not strong_secret("x" * 31 + "y") and not strong_secret("kill-test-secret-key-" + "k" * 32)
    assert strong_secret("7XfpKUno41XreOxACXP98hzXzIr0SmRoock0C6D_OSE")


def test_hsts_preload_is_off_unless_asked_for(tmp_path):
    assert Settings.from_env({"PORTAL_VAR_DIR": str(tmp_path)}).hsts_preload is False
    assert Settings.from_env({"PORTAL_VAR_DIR": str(tmp_path), "HSTS_PRELOAD": "true"}).hsts_preload is True
    production = Settings.from_env({**SAFE_PRODUCTION, "PORTAL_VAR_DIR": str(tmp_path), "HSTS_PRELOAD": "1"})
    assert production.hsts_preload is True


def test_production_notify_needs_its_key_and_template(tmp_path):
    environ = {**SAFE_PRODUCTION, "PORTAL_VAR_DIR": str(tmp_path), "MAILER": "notify"}
    with pytest.raises(UnsafeSettings) as excinfo:
        Settings.from_env(environ)
    assert "NOTIFY_API_KEY" in str(excinfo.value) and "NOTIFY_TEMPLATE_ID" in str(excinfo.value)


def test_development_generates_local_secrets_once_and_keeps_them(tmp_path):
    first = Settings.from_env({"PORTAL_VAR_DIR": str(tmp_path)})
    second = Settings.from_env({"PORTAL_VAR_DIR": str(tmp_path)})
    assert len(first.secret_key) >= 32
    assert first.secret_key == second.secret_key and first.file_store_kek == second.file_store_kek
    assert len(first.kek_bytes) == 32
    assert (tmp_path / "local-secrets.json").stat().st_mode & 0o777 == 0o600


def test_embedded_defaults(tmp_path):
    settings = Settings.from_env({"PORTAL_VAR_DIR": str(tmp_path)})
    assert settings.sqlalchemy_url == f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    assert settings.file_store == "local" and settings.store_path == tmp_path / "files"
    assert settings.mailer == "outbox" and settings.outbox_path == tmp_path / "outbox"
    assert settings.job_backend == "sqlite"


def test_the_copyright_line_is_the_bodys_own_unless_set(tmp_path):
    default = Settings.from_env({"PORTAL_VAR_DIR": str(tmp_path), "PUBLIC_BODY_NAME": "Ware Town Council"})
    assert (default.copyright_line, default.crown_copyright) == ("© Ware Town Council", False)
    crown = Settings.from_env({"PORTAL_VAR_DIR": str(tmp_path), "COPYRIGHT_NOTICE": "© Crown copyright"})
    assert (crown.copyright_line, crown.crown_copyright) == ("© Crown copyright", True)


def test_sizes_and_numbers_are_parsed(tmp_path):
    settings = Settings.from_env({"PORTAL_VAR_DIR": str(tmp_path), "MAX_CONTENT_LENGTH": "2GB", "SMTP_PORT": "2525"})
    assert settings.max_content_length == 2 * 1024**3
    assert settings.smtp_port == 2525


@pytest.mark.parametrize(("variable", "value"), [("SMTP_PORT", "twenty-five"), ("JOB_BACKEND", "celery"),
                                                 ("FILE_STORE", "ftp"), ("FILE_STORE_KEK", "c2hvcnQ="),
                                                 ("PORTAL_ENV", "staging")])
def test_invalid_values_are_refused_with_the_variable_named(tmp_path, variable, value):
    with pytest.raises(UnsafeSettings) as excinfo:
        Settings.from_env({"PORTAL_VAR_DIR": str(tmp_path), variable: value})
    assert variable in str(excinfo.value)


def test_settings_are_frozen(tmp_path):
    settings = Settings.from_env({"PORTAL_VAR_DIR": str(tmp_path)})
    with pytest.raises(AttributeError):
        settings.secret_key = "changed"


def test_the_bodys_nation_is_one_of_the_four(tmp_path):
    assert Settings.from_env({"PORTAL_VAR_DIR": str(tmp_path), "BODY_NATION": "scotland"}).body_nation == "scotland"
    with pytest.raises(UnsafeSettings, match="BODY_NATION must be one of england, wales, scotland, northern-ireland"):
        Settings.from_env({"PORTAL_VAR_DIR": str(tmp_path), "BODY_NATION": "Scotland"})
