"""The address finder's settings: read from the environment, OS Places only with a key, and its key
never sent over plain HTTP in production."""
from __future__ import annotations

import pytest

from portal.adapters.os_places import OsPlacesLookup
from portal.services import make_addresses
from portal.settings import Settings, UnsafeSettings
from tests.unit.test_settings import SAFE_PRODUCTION


def test_os_places_settings_are_read_from_the_environment(tmp_path):
    settings = Settings.from_env({"PORTAL_VAR_DIR": str(tmp_path), "OS_PLACES_API_KEY": "k",
                                  "OS_PLACES_BASE_URL": "http://127.0.0.1:9/v1", "OS_PLACES_TIMEOUT": "1.5"})
    lookup = make_addresses(settings)

    assert isinstance(lookup, OsPlacesLookup)
    assert (lookup.api_key, lookup.base_url, lookup.timeout) == ("k", "http://127.0.0.1:9/v1", 1.5)


def test_without_a_key_there_is_no_address_lookup(tmp_path):
    settings = Settings.from_env({"PORTAL_VAR_DIR": str(tmp_path)})

    assert settings.os_places_base_url == "https://api.os.uk/search/places/v1"
    assert make_addresses(settings) is None


def test_production_sends_the_os_places_key_over_https_only(tmp_path):
    env = {**SAFE_PRODUCTION, "PORTAL_VAR_DIR": str(tmp_path), "OS_PLACES_API_KEY": "k"}
    assert Settings.from_env(env).os_places_api_key == "k"

    with pytest.raises(UnsafeSettings, match="OS_PLACES_BASE_URL"):
        Settings.from_env({**env, "OS_PLACES_BASE_URL": "http://places.internal/v1"})
