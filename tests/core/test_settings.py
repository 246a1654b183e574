"""Settings come from the environment; the secret is generated once and never in the repo."""

import os
import subprocess
import sys
from pathlib import Path

import pytest


def run_thudo(*args, env_extra, tmp_path):
    # A fresh operator's shell: none of our variables, and not the browser tests'
    # DJANGO_ALLOW_ASYNC_UNSAFE (which `check --deploy` rightly refuses).
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("THUDO_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update({"THUDO_DATA_DIR": str(tmp_path / "data"), **env_extra})
    return subprocess.run(
        [sys.executable, "-m", "thudo", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_secret_key_is_generated_once_in_the_data_dir(tmp_path):
    run_thudo("check", env_extra={}, tmp_path=tmp_path)
    key_file = tmp_path / "data" / "secret_key"
    first = key_file.read_text()
    assert len(first) > 50
    assert oct(key_file.stat().st_mode)[-3:] == "600"
    run_thudo("check", env_extra={}, tmp_path=tmp_path)
    assert key_file.read_text() == first


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run_thudo(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={
            "THUDO_SECRET_KEY": "x" * 20 + "-production-secret-key-with-enough-entropy-9f8e7d6c5b4a",
            "THUDO_HTTPS": "1",
            "THUDO_ALLOWED_HOSTS": "dichvucong.hanoi.example",
            "THUDO_PAYMENT_GATEWAY": "tests.gateways.RecordingGateway",
        },
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


PRODUCTION = {
    "THUDO_SECRET_KEY": "x" * 20 + "-production-secret-key-with-enough-entropy-9f8e7d6c5b4a",
    "THUDO_HTTPS": "1",
    "THUDO_ALLOWED_HOSTS": "dichvucong.hanoi.example",
}


def test_production_refuses_to_start_without_a_payment_gateway(tmp_path):
    """The simulated gateway confirms every payment: it is never the silent default (issue 10, item 3).
    Every command (its system checks) and the WSGI application refuse to start."""
    for env in (PRODUCTION, {}):  # behind HTTPS or not: only THUDO_DEBUG=1 chooses a default
        result = run_thudo("check", env_extra=env, tmp_path=tmp_path)
        assert result.returncode != 0
        assert "thudo.E001" in result.stderr and "THUDO_PAYMENT_GATEWAY" in result.stderr
    serve = subprocess.run(
        [sys.executable, "-c", "import thudo.conf.wsgi"],
        env={
            **os.environ,
            **PRODUCTION,
            "THUDO_DATA_DIR": str(tmp_path / "data"),
            "THUDO_PAYMENT_GATEWAY": "",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert serve.returncode != 0 and "ImproperlyConfigured" in serve.stderr


def test_a_gateway_that_is_not_a_gateway_is_refused(tmp_path):
    result = run_thudo(
        "check", env_extra={**PRODUCTION, "THUDO_PAYMENT_GATEWAY": "os.path.join"}, tmp_path=tmp_path
    )
    assert result.returncode != 0 and "thudo.E001" in result.stderr


def test_the_simulated_gateway_chosen_explicitly_starts_and_check_deploy_warns(tmp_path):
    env = {**PRODUCTION, "THUDO_PAYMENT_GATEWAY": "simulated"}
    assert run_thudo("check", env_extra=env, tmp_path=tmp_path).returncode == 0
    deploy = run_thudo("check", "--deploy", env_extra=env, tmp_path=tmp_path)
    assert "thudo.W001" in deploy.stderr + deploy.stdout
    assert run_thudo(
        "check", "--deploy", "--fail-level", "WARNING", env_extra=env, tmp_path=tmp_path
    ).returncode


def test_development_defaults_to_the_simulated_gateway(tmp_path):
    result = run_thudo("check", env_extra={"THUDO_DEBUG": "1"}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not os.environ.get("THUDO_DATABASE_URL"), reason="only when a database URL is given")
def test_database_url_selects_the_engine():
    from django.db import connection

    assert connection.vendor in {"postgresql", "sqlite"}
    assert connection.vendor == ("postgresql" if "postgres" in os.environ["THUDO_DATABASE_URL"] else "sqlite")


def test_no_secret_in_the_repository():
    root = Path(__file__).resolve().parents[2]
    settings_text = (root / "src" / "thudo" / "conf" / "settings.py").read_text()
    assert 'SECRET_KEY = "' not in settings_text
    assert "var/" in (root / ".gitignore").read_text()  # the generated key lives in the data dir


@pytest.mark.parametrize(
    ("env", "why"),
    [
        ({"THUDO_HTTPS": "1", "THUDO_ALLOWED_HOSTS": "dichvucong.hanoi.example"}, "THUDO_HTTPS"),
        ({"THUDO_CACHE_URL": "redis://127.0.0.1:6379/13"}, "THUDO_CACHE_URL"),
        ({"THUDO_S3_BUCKET": "ho-so"}, "THUDO_S3_BUCKET"),
        ({"THUDO_REPLICA_URL": "postgres://postgres@127.0.0.1:5433/thudo"}, "THUDO_REPLICA_URL"),
    ],
)
def test_production_and_several_servers_refuse_to_start_without_a_secret_key(tmp_path, env, why):
    """A key generated per data directory differs on every server (issue 15, part 9): production
    settings and any several-server setting refuse to start without THUDO_SECRET_KEY, saying why,
    and generate nothing."""
    result = run_thudo("check", env_extra={"THUDO_PAYMENT_GATEWAY": "simulated", **env}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "THUDO_SECRET_KEY is not set" in result.stderr and why in result.stderr
    assert not (tmp_path / "data" / "secret_key").exists()
    ok = run_thudo(
        "check",
        env_extra={"THUDO_PAYMENT_GATEWAY": "simulated", "THUDO_SECRET_KEY": "k" * 60, **env},
        tmp_path=tmp_path,
    )
    assert ok.returncode == 0, ok.stderr
