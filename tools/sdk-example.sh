#!/usr/bin/env bash
# Proves that a third party can write a kgw plugin against the installed SDK
# alone:
#   1. installs only the SDK component (`cmake --install --component sdk`) of a
#      configured kgw build into a temporary prefix;
#   2. copies sdk/examples/hello out of the tree and builds it with CMake
#      (find_package(kgw)) against that prefix, with -Wall -Wextra -Wpedantic
#      -Werror;
#   3. builds it again with nothing but a compiler and pkg-config (kgw.pc);
#   4. asks the gateway's plugin loader to load both and create an instance
#      with sdk/examples/hello/hello.yaml (test_plugin_loader --check).
#
# Usage: tools/sdk-example.sh [--build-dir DIR] [--no-build]
#   --build-dir DIR  a kgw build directory (default: build); configured with
#                    Ninja if it has no CMakeCache.txt yet
#   --no-build       do not build the loader check in DIR (ctest mode)
# Exits 0 when every step succeeded.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build"
do_build=1
while [ $# -gt 0 ]; do
    case "$1" in
    --build-dir)
        build=$(cd "$2" 2>/dev/null && pwd) || { echo "sdk-example: no build directory '$2'" >&2; exit 2; }
        shift 2
        ;;
    --no-build)
        do_build=0
        shift
        ;;
    *)
        echo "usage: $0 [--build-dir DIR] [--no-build]" >&2
        exit 2
        ;;
    esac
done

if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S "$root" -B "$build" -G Ninja >/dev/null
fi
if [ "$do_build" = 1 ]; then
    cmake --build "$build" --target test_plugin_loader -j 2 >/dev/null
fi
checker="$build/tests/unit/test_plugin_loader"
[ -x "$checker" ] || { echo "sdk-example: $checker is not built" >&2; exit 1; }

tmp=$(mktemp -d /tmp/kgw-sdk-example.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"

echo "== installing the SDK component into $prefix"
cmake --install "$build" --component sdk --prefix "$prefix" >/dev/null
(cd "$prefix" && find . -type f | sort | sed 's/^\.\//   /')

# Nothing but the SDK may be installed: a plugin must not see gateway headers.
if find "$prefix" -type f \( -name '*.h' ! -path '*/include/kgw/*' \) | grep -q .; then
    echo "sdk-example: headers outside include/kgw/ were installed" >&2
    exit 1
fi

echo "== compiling each installed header alone (C11, and C++11 when c++ exists)"
strict="-Wall -Wextra -Wpedantic -Werror"
for h in "$prefix"/include/kgw/*.h; do
    echo "#include <kgw/$(basename "$h")>" >"$tmp/one.c"
    # shellcheck disable=SC2086
    cc -std=c11 $strict -I"$prefix/include" -fsyntax-only "$tmp/one.c"
    if command -v c++ >/dev/null; then
        cp "$tmp/one.c" "$tmp/one.cpp"
        # shellcheck disable=SC2086
        c++ -std=c++11 $strict -I"$prefix/include" -fsyntax-only "$tmp/one.cpp"
    fi
    echo "   $(basename "$h") ok"
done

echo "== building sdk/examples/hello out of tree with CMake (find_package(kgw))"
cp -r "$root/sdk/examples/hello" "$tmp/src"
cmake -S "$tmp/src" -B "$tmp/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_C_FLAGS="$strict" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$tmp/cmake-build" >/dev/null
so_cmake="$tmp/cmake-build/kgw_hello.so"
[ -f "$so_cmake" ] || { echo "sdk-example: $so_cmake was not built" >&2; exit 1; }

echo "== building it again with cc and pkg-config (kgw.pc)"
pcdir=$(dirname "$(find "$prefix" -name kgw.pc | head -n 1)")
export PKG_CONFIG_PATH="$pcdir"
echo "   kgw.pc version $(pkg-config --modversion kgw), cflags $(pkg-config --cflags kgw)"
mkdir -p "$tmp/pc-build"
so_pc="$tmp/pc-build/kgw_hello.so"
# shellcheck disable=SC2046,SC2086
cc -std=c11 $strict -fPIC -shared -fvisibility=hidden $(pkg-config --cflags kgw) \
    -o "$so_pc" "$tmp/src/hello.c"

# Only the entry function is exported.
exported=$(nm -D --defined-only "$so_pc" | awk '$2 == "T" { print $3 }')
if [ "$exported" != "kgw_plugin_entry" ]; then
    echo "sdk-example: kgw_hello.so exports '$exported', expected only kgw_plugin_entry" >&2
    exit 1
fi

echo "== loading both with the gateway's plugin loader"
"$checker" --check "$so_cmake" "$tmp/src/hello.yaml"
"$checker" --check "$so_pc" "$tmp/src/hello.yaml"
echo "sdk-example: OK"
