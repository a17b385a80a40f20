#!/bin/sh
# Install ipsmap's desktop entry, file types and icons for this user (no admin rights):
#   ipsmap/linux/install.sh          (from the unpacked app folder)
# Into $XDG_DATA_HOME (default ~/.local/share): applications/ipsmap.desktop, the MIME
# type application/x-ipsmap for *.ipsmap (and the map formats ipsmap imports, for "Open
# with"), hicolor icons; then ipsmap becomes the default for *.ipsmap only.
# Run it again after moving the app folder. uninstall: install.sh --uninstall
set -eu

here=$(cd "$(dirname "$0")" && pwd)
app=$(dirname "$here")
program="$app/ipsmap"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
sizes="16 22 24 32 48 64 128 256 512"

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$data/applications/ipsmap.desktop" "$data/mime/packages/ipsmap.xml"
  for size in $sizes; do rm -f "$data/icons/hicolor/${size}x${size}/apps/ipsmap.png"; done
  command -v update-mime-database >/dev/null && update-mime-database "$data/mime"
  echo "ipsmap: desktop entry and file types removed from $data"
  exit 0
fi
if [ ! -x "$program" ]; then
  echo "install.sh: error: no ipsmap program at $program (run the copy inside the app folder)" >&2
  exit 2
fi

mkdir -p "$data/applications" "$data/mime/packages"
# The desktop entry spec quotes an Exec argument holding spaces with double quotes; inside
# them \ " ` $ take a backslash, and the file's own escaping doubles every backslash (so
# a backslash in the path becomes four); % is written %%.
IPSMAP_PROGRAM="$program" awk '
  /^# install.sh/ { next }
  /^Exec=/ {
    p = ENVIRON["IPSMAP_PROGRAM"]; out = ""
    for (i = 1; i <= length(p); i++) {
      c = substr(p, i, 1)
      if (c == "\\") out = out "\\\\\\\\"
      else if (c == "\"" || c == "`" || c == "$") out = out "\\\\" c
      else if (c == "%") out = out "%%"
      else out = out c
    }
    print "Exec=\"" out "\" %f"; next
  }
  { print }
' "$here/ipsmap.desktop" > "$data/applications/ipsmap.desktop.new"
mv "$data/applications/ipsmap.desktop.new" "$data/applications/ipsmap.desktop"
cp "$here/ipsmap-mime.xml" "$data/mime/packages/ipsmap.xml"
for size in $sizes; do
  mkdir -p "$data/icons/hicolor/${size}x${size}/apps"
  cp "$here/icons/${size}x${size}/ipsmap.png" "$data/icons/hicolor/${size}x${size}/apps/ipsmap.png"
done

# The caches desktops read; each tool is optional (a desktop session rebuilds them too).
if command -v update-mime-database >/dev/null; then update-mime-database "$data/mime"; fi
if command -v update-desktop-database >/dev/null; then
  update-desktop-database "$data/applications"
fi
if command -v gtk-update-icon-cache >/dev/null && [ -f "$data/icons/hicolor/index.theme" ]; then
  gtk-update-icon-cache -q "$data/icons/hicolor" || true
fi
if command -v xdg-mime >/dev/null; then
  xdg-mime default ipsmap.desktop application/x-ipsmap
fi
echo "ipsmap: installed the desktop entry, file types and icons into $data"
