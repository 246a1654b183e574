#!/usr/bin/env bash
# Regenerate the committed API contract docs/openapi.json from the code.
set -euo pipefail
cd "$(dirname "$0")/.."
# Commands refuse to start without a payment gateway chosen; the schema does not depend on it.
THUDO_PAYMENT_GATEWAY="${THUDO_PAYMENT_GATEWAY:-simulated}" \
THUDO_DATA_DIR="${THUDO_DATA_DIR:-$(mktemp -d)}" thudo export_openapi_schema --api thudo.conf.api.api --indent 2 \
  --output docs/openapi.json
