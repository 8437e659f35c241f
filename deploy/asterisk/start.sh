#!/bin/sh
# Copies Ringside's Asterisk configuration into place, sets the ARI password and application name
# from the environment (so no secret lives in the repository), and runs Asterisk in the foreground.
set -eu
src=/etc/asterisk-ringside
dst=/etc/asterisk
for f in "$src"/*.conf; do cp "$f" "$dst/"; done
if [ -n "${ARI_PASSWORD:-}" ]; then
  # Escape characters sed would read as syntax.
  pw=$(printf '%s' "$ARI_PASSWORD" | sed 's/[&/\]/\\&/g')
  sed -i "s/^password = ringside$/password = $pw/" "$dst/ari.conf"
fi
if [ -n "${ARI_USER:-}" ] && [ "$ARI_USER" != "ringside" ]; then
  sed -i "s/^\[ringside\]$/[$ARI_USER]/" "$dst/ari.conf"
fi
if [ -n "${ARI_APP:-}" ] && [ "$ARI_APP" != "dialer" ]; then
  sed -i "s/Stasis(dialer,/Stasis($ARI_APP,/" "$dst/extensions.conf"
fi
exec asterisk -f -vvv
