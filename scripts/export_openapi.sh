#!/usr/bin/env bash
# Regenerate the committed API contract docs/openapi.json from the code.
set -euo pipefail
cd "$(dirname "$0")/.."
THUDO_DATA_DIR="${THUDO_DATA_DIR:-$(mktemp -d)}" thudo export_openapi_schema --api thudo.conf.api.api --indent 2 \
  --output docs/openapi.json
