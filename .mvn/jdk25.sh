# Finds a JDK 25 for ./mvnw and ./nvfp4 (sourced by both; POSIX sh).
#
# nvfp4-java targets JDK 25 (LTS). Debian machines ship it beside the default JDK 17 in
# /usr/lib/jvm, and nobody points JAVA_HOME at it by hand, so we look for it ourselves:
#   1. JAVA_HOME, if it already is a JDK 25 or newer;
#   2. NVFP4_JDK_DIRS (colon-separated folders holding JDKs), then the standard JDK folders,
#      preferring an exact 25 over anything newer (the Vector API incubator changes per release);
#   3. the `java` on PATH.
# On success JAVA_HOME is exported; otherwise one line says what is missing.

nvfp4_jdk_feature() {
  # Prints the feature version of the JDK in folder $1 (from its `release` file), or nothing.
  if [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && [ -f "$1/release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" | head -n 1
  fi
}

nvfp4_find_jdk25() {
  # Runs in a subshell ($(...)): globbing is switched on here even if the caller has `set -f`.
  set +f
  if [ -n "${JAVA_HOME-}" ]; then
    _f=$(nvfp4_jdk_feature "$JAVA_HOME")
    if [ -n "$_f" ] && [ "$_f" -ge 25 ]; then printf '%s\n' "$JAVA_HOME"; return 0; fi
  fi
  _newer=
  _roots=$(printf '%s' "${NVFP4_JDK_DIRS-}" | tr ':' ' ')
  for _root in $_roots /usr/lib/jvm /usr/java /opt/java "${HOME-}/.jdks" "${HOME-}/.sdkman/candidates/java"; do
    [ -d "$_root" ] || continue
    for _dir in "$_root"/*; do
      _f=$(nvfp4_jdk_feature "$_dir")
      [ -n "$_f" ] || continue
      if [ "$_f" -eq 25 ]; then printf '%s\n' "$_dir"; return 0; fi
      if [ "$_f" -gt 25 ] && [ -z "$_newer" ]; then _newer=$_dir; fi
    done
  done
  if [ -n "$_newer" ]; then printf '%s\n' "$_newer"; return 0; fi
  if command -v java >/dev/null 2>&1; then
    _dir=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    _f=$(nvfp4_jdk_feature "$_dir")
    if [ -n "$_f" ] && [ "$_f" -ge 25 ]; then printf '%s\n' "$_dir"; return 0; fi
  fi
  return 1
}

nvfp4_use_jdk25() {
  if _jdk=$(nvfp4_find_jdk25); then
    JAVA_HOME=$_jdk
    export JAVA_HOME
    return 0
  fi
  echo "nvfp4-java needs JDK 25: none found in JAVA_HOME, /usr/lib/jvm or on PATH (Debian: apt-get install openjdk-25-jdk, or set JAVA_HOME)" >&2
  return 1
}
