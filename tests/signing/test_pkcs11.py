"""The production signing path (PKCS#11 token), exercised against SoftHSM2.

Skipped where SoftHSM2, OpenSC's pkcs11-tool or python-pkcs11 are not installed
(``apt-get install softhsm2 opensc``; ``pip install 'pyhanko[pkcs11]'``).
"""

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from tests.factories_signing import leader_with_certificate, paper_context
from thudo.signing import actions, pki
from thudo.signing.papers import render_paper
from thudo.signing.verify import verify_pdf

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
PIN = "246813"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not Path(MODULE).exists()
        or shutil.which("softhsm2-util") is None
        or shutil.which("pkcs11-tool") is None
        or importlib.util.find_spec("pkcs11") is None,
        reason="SoftHSM2, OpenSC or python-pkcs11 not installed",
    ),
]


def run(*args, env):
    subprocess.run(args, check=True, capture_output=True, env=env, timeout=60)


@pytest.fixture
def token(tmp_path, monkeypatch, settings):
    """A SoftHSM2 token holding a leader's key and certificate (and the CA certificate)."""
    tokens = tmp_path / "tokens"
    tokens.mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    env = {"SOFTHSM2_CONF": str(conf), "PATH": "/usr/bin:/bin"}
    run(
        "softhsm2-util",
        "--init-token",
        "--free",
        "--label",
        "LANHDAO",
        "--so-pin",
        "13579",
        "--pin",
        PIN,
        env=env,
    )

    user, credential = leader_with_certificate(full_name="Đặng Thị Thu")
    key, cert, chain = pkcs12.load_key_and_certificates(
        (Path(settings.DATA_DIR) / "pki" / credential.p12_path).read_bytes(),
        pki.passphrase(credential.p12_path),
    )
    key_pem = tmp_path / "key.pem"
    key_pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    run(
        "softhsm2-util",
        "--import",
        str(key_pem),
        "--token",
        "LANHDAO",
        "--label",
        "ky-so",
        "--id",
        "01",
        "--pin",
        PIN,
        env=env,
    )
    key_pem.unlink()
    for label, obj_id, c in (("ky-so", "01", cert), ("ca", "02", chain[0])):
        der = tmp_path / f"{label}.der"
        der.write_bytes(c.public_bytes(serialization.Encoding.DER))
        run(
            "pkcs11-tool",
            "--module",
            MODULE,
            "--login",
            "--pin",
            PIN,
            "--token-label",
            "LANHDAO",
            "--write-object",
            str(der),
            "--type",
            "cert",
            "--label",
            label,
            "--id",
            obj_id,
            env=env,
        )
    # the newest credential is the token: the person now signs with it
    token_credential = pki.register_pkcs11_credential(
        user,
        agency=credential.agency,
        title="Giám đốc",
        module=MODULE,
        token_label="LANHDAO",
        key_label="ky-so",
        cert_pem=credential.cert_pem,
    )
    assert pki.active_credential(user) == token_credential
    monkeypatch.setenv(pki.PKCS11_PIN_ENV, PIN)
    return user, token_credential


def test_signing_with_a_pkcs11_token_gives_a_trusted_pades_signature(token):
    user, credential = token
    pdf = render_paper("result", paper_context("result"))

    signed = actions.sign_pdf(pdf, signer=user, reason="Phê duyệt bằng USB token")
    report = verify_pdf(signed)

    assert report.signed and report.intact and report.trusted
    assert report.signer_name == "Đặng Thị Thu"
    assert report.signatures[0].reason == "Phê duyệt bằng USB token"
    assert report.signatures[0].serial == credential.serial
