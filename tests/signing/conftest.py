import pytest


@pytest.fixture(autouse=True)
def _pki_dir(settings, tmp_path):
    """Key files of each test live in its own temporary data dir."""
    settings.DATA_DIR = tmp_path
    return tmp_path
