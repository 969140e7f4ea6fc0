# Helpers shared by in-testbed.sh and exim-in-testbed.sh (sourced, inside the testbed): reproducible
# repacking of a .deb with a bumped version.
export SOURCE_DATE_EPOCH=1700000000 LC_ALL=C DEBIAN_FRONTEND=noninteractive
version_of() { apt-cache show --no-all-versions "$1" | sed -n 's/^Version: //p' | head -n1; }

# A .deb tree: unpack, let the caller change it, then bump the version and rebuild.
unpack() { rm -rf "$2" && dpkg-deb -R "$1" "$2"; }
# repack TREE SUFFIX OUTDIR: version + SUFFIX, md5sums recomputed, reproducible build.
repack() {
  tree=$1 suffix=$2 outdir=$3
  sed -i "s/^Version: \(.*\)$/Version: \1$suffix/" "$tree/DEBIAN/control"
  (cd "$tree" && find . -path ./DEBIAN -prune -o -type f -print | sed 's,^\./,,' | LC_ALL=C sort |
     xargs -r md5sum > DEBIAN/md5sums)
  find "$tree" -depth -newermt "@$SOURCE_DATE_EPOCH" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  mkdir -p "$outdir"
  pkg=$(sed -n 's/^Package: //p' "$tree/DEBIAN/control")
  ver=$(sed -n 's/^Version: //p' "$tree/DEBIAN/control")
  arch=$(sed -n 's/^Architecture: //p' "$tree/DEBIAN/control")
  dpkg-deb --root-owner-group -Zxz -b "$tree" "$outdir/${pkg}_$(echo "$ver" | sed 's/^[0-9]*://')_$arch.deb" >/dev/null
}
# Fail loudly when an edit did not apply (a new upstream version moved the text).
must_change() { if cmp -s "$1" "$2"; then echo "in-testbed.sh: $3 did not change $2" >&2; exit 1; fi; }

