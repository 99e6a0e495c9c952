"""Sizes written the GOV.UK way."""
from __future__ import annotations

import pytest

from portal.formatting import human_size

KB = 1024
MB = 1024 * KB
GB = 1024 * MB


@pytest.mark.parametrize(("size", "shown"), [
    (0, "0 bytes"),
    (1, "1 byte"),
    (512, "512 bytes"),
    (1023, "1023 bytes"),
    (KB, "1KB"),
    (1536, "1.5KB"),
    (63 * KB + 200, "63KB"),
    (MB - 1, "1MB"),  # not "1024KB"
    (int(1.5 * MB), "1.5MB"),
    (int(9.96 * MB), "10MB"),
    (20 * MB, "20MB"),
    (100 * MB, "100MB"),
    (120 * MB + 300 * KB, "120MB"),
    (int(1.2 * GB), "1.2GB"),
    (2 * GB, "2GB"),
    (1024 * 1024 * GB * 3, "3072TB"),
])
def test_sizes_are_written_the_govuk_way(size, shown):
    assert human_size(size) == shown


def test_a_negative_size_is_a_programming_error():
    with pytest.raises(ValueError):
        human_size(-1)
