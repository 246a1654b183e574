#!/usr/bin/env bash
# Extract strings into the English catalogue and compile it. Translate new entries in
# src/thudo/locale/en/LC_MESSAGES/django.po, then run this again to compile.
set -euo pipefail
cd "$(dirname "$0")/../src/thudo"
DJANGO_SETTINGS_MODULE=thudo.conf.settings python -m django makemessages -l en --no-obsolete -i migrations --no-location
DJANGO_SETTINGS_MODULE=thudo.conf.settings python -m django compilemessages -l en
