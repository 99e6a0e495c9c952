import pytest

from portal.settings import Settings, UnsafeSettings

SAFE_PRODUCTION = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": "s" * 48,
    "FILE_STORE_KEK": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    "CASE_SYSTEM_SECRET": "shared-secret-with-the-case-system",
    "DATABASE_URL": "postgresql://portal@db/portal",
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
        ("FILE_STORE_KEK", None),
        ("CASE_SYSTEM_SECRET", None),
        ("DATABASE_URL", None),
        ("CLAMD_HOST", None),
        ("MAILER", "outbox"),
        ("BASE_URL", "http://requests.example.gov.uk"),
        ("RATELIMIT_STORAGE_URI", None),
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
