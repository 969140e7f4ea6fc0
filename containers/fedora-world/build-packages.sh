#!/bin/sh
# Builds the RPMs of packages.txt (everything of the local Fedora world's `fedora` repository besides
# exim) with the host's rpmbuild: noarch subsets of upstream sources and a repackaged Debian binary,
# nothing to compile, so no builder container. Each package gets its own _topdir.
#   build-packages.sh RECIPE_DIR SOURCES_DIR OUT_DIR    -> OUT_DIR/*.rpm
# SOURCES_DIR holds each line's SOURCE under its base name (fedora-world fetches and checks them).
set -eu
recipe=$1 sources=$2 out=$3
export LC_ALL=C SOURCE_DATE_EPOCH=1705363200
mkdir -p "$out"
grep -v '^#' "$recipe/packages.txt" | while read -r name version release spec source sha; do
  [ -n "$name" ] || continue
  top=$(mktemp -d "${TMPDIR:-/tmp}/fedora-world-rpmbuild.XXXXXX")
  mkdir -p "$top/SOURCES"
  cp "$sources/$(basename "$source")" "$top/SOURCES/"
  echo "build-packages.sh: $name-$version-$release ($spec)" >&2
  if ! timeout 600 rpmbuild -bb --nodeps --define "_topdir $top" --define "pkg_name $name" \
       --define "pkg_version $version" --define "pkg_release $release" --define "pkg_source $(basename "$source")" \
       --define "_build_id_links none" --define "use_source_date_epoch_as_buildtime 1" \
       --define "clamp_mtime_to_source_date_epoch 1" --define "_binary_payload w9.gzdio" \
       "$recipe/$spec" > "$top/build.log" 2>&1; then
    tail -n 40 "$top/build.log" >&2
    echo "build-packages.sh: rpmbuild of $name ($spec) failed (last lines above)" >&2
    rm -rf "$top"
    exit 1
  fi
  cp "$top"/RPMS/*/*.rpm "$out/"
  rm -rf "$top"
done
