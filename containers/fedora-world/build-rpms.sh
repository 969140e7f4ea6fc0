#!/bin/sh
# Inside the Debian builder (a bookworm testbed with gcc, make, rpm and the -dev packages): builds every
# line of builds.txt with rpmbuild from exim.spec, --nodeps (the builder's rpmdb is empty; the
# BuildRequires are Debian packages). Each build gets its own _topdir, so nothing carries over.
#   build-rpms.sh RECIPE_DIR SOURCES_DIR OUT_DIR    -> OUT_DIR/ROLE/*.rpm
set -eu
recipe=$1 sources=$2 out=$3
export LC_ALL=C SOURCE_DATE_EPOCH=1705363200
grep -v '^#' "$recipe/builds.txt" | while read -r role version release bug tarball sha; do
  [ -n "$role" ] || continue
  top=/tmp/rpmbuild-$role
  rm -rf "$top" && mkdir -p "$top/SOURCES" "$out/$role"
  cp "$sources/$tarball" "$recipe/bug3050-revert.patch" "$top/SOURCES/"
  with=
  [ "$bug" = revert ] && with="--with bug3050_revert"
  echo "build-rpms.sh: exim $version-$release.fc41 ($role, Bug 3050 fix: $bug)" >&2
  if ! rpmbuild -bb --nodeps $with --define "_topdir $top" --define "exim_version $version" \
       --define "exim_release $release" --define "_build_id_links none" \
       --define "use_source_date_epoch_as_buildtime 1" --define "clamp_mtime_to_source_date_epoch 1" \
       "$recipe/exim.spec" > "$top/build.log" 2>&1; then
    tail -n 60 "$top/build.log" >&2
    echo "build-rpms.sh: rpmbuild of exim $version ($role) failed (last lines above)" >&2
    exit 1
  fi
  cp "$top"/RPMS/*/*.rpm "$out/$role/"
  rm -rf "$top"
done
