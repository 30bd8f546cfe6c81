#!/usr/bin/env bash
# Builds the plain Java module with Debian's JDK 17 and jars (no Maven repository is reachable here:
# Jackson from libjackson2-databind-java, JUnit 5 from junit5), then runs its JUnit tests.
# Usage: build.sh [--test DLCONTAINER_BINARY]
#   without --test: compile only (build/dlcontainer-client.jar)
#   with --test:    compile, then run every test against `DLCONTAINER_BINARY serve --stdio`
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${DLC_JAVA_BUILD:-$here/build}
jars=/usr/share/java
cp_main="$jars/jackson-databind.jar:$jars/jackson-core.jar:$jars/jackson-annotations.jar"
junit="$jars/junit-platform-console-standalone.jar"
for j in ${cp_main//:/ } "$junit"; do
  [ -f "$j" ] || { echo "missing $j: apt-get install libjackson2-databind-java junit5 openjdk-17-jdk-headless" >&2; exit 2; }
done

rm -rf "$out/classes" "$out/test-classes"
mkdir -p "$out/classes" "$out/test-classes"
javac -Xlint:all -Werror --release 17 -encoding UTF-8 -cp "$cp_main" -d "$out/classes" $(find "$here/src/main/java" -name '*.java')
jar --create --file "$out/dlcontainer-client.jar" -C "$out/classes" .
echo "built $out/dlcontainer-client.jar"

[ "${1:-}" = "--test" ] || exit 0
binary=${2:?usage: build.sh --test DLCONTAINER_BINARY}
javac -Xlint:all -Xlint:-processing -Werror --release 17 -encoding UTF-8 -cp "$out/classes:$cp_main:$junit" -d "$out/test-classes" \
  $(find "$here/src/test/java" -name '*.java')
exec java -Ddlc.binary="$binary" -jar "$junit" --disable-banner --details=tree --fail-if-no-tests \
  --class-path "$out/classes:$out/test-classes:$cp_main" --scan-class-path
