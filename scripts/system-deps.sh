#!/bin/sh
# Install the Debian packages the platform and its tests need when they are missing:
# PostgreSQL, Redis, Chromium (browser tests), Pango (WeasyPrint), poppler-utils (PDF checks),
# wrk (the portal benchmark).
set -e
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
command -v pg_ctlcluster >/dev/null 2>&1 || missing="$missing postgresql"
ldconfig -p | grep -q libpango-1.0 || missing="$missing libpango-1.0-0 libpangoft2-1.0-0"
fc-list 2>/dev/null | grep -qi dejavu || missing="$missing fonts-dejavu-core"
if [ -n "$missing" ]; then
  echo "Installation des paquets système :$missing"
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
