#!/usr/bin/env bash
# Differential test of kgw's Kafka codec against Kafka's own Java implementation.
#
#   tools/codec-diff.sh [BUILD_DIR]        (or KGW_BUILD_DIR=...; default: build/)
#
# 1. builds kgw_codec_dump (tests/diff/) in the project's CMake build dir;
# 2. builds the Java generator (tests/codec-java/, Maven, kafka-clients pinned);
# 3. Java writes random messages for every API key, version and direction, and
#    record batches for every codec (BUILD_DIR/codec-diff/messages.tsv, batches.tsv);
# 4. kgw decodes, prints JSON, re-encodes; iterates, rebuilds and edits the batches;
# 5. Kafka reads kgw's rebuilt/edited batches back;
# 6. tests/diff/compare.py compares everything and prints the summary.
# Exits non-zero on any mismatch. Knobs: COUNT (messages per key/version/direction,
# default 20), BATCHES (batches per codec and kind, default 8), SEED (default 1),
# JAVA_OPTS (default -Xmx512m), KGW_DIFF_TOOL (use this kgw_codec_dump instead of
# building one, e.g. a sanitizer build).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-${KGW_BUILD_DIR:-$root/build}}
case $build in /*) ;; *) build=$PWD/$build ;; esac
out=$build/codec-diff
count=${COUNT:-20}
batches=${BATCHES:-8}
seed=${SEED:-1}
java_opts=${JAVA_OPTS:--Xmx512m}
start=$SECONDS

step() { printf '== %s (%ds)\n' "$*" $((SECONDS - start)); }

step "building kgw_codec_dump"
gen=()
if command -v ninja >/dev/null; then gen=(-G Ninja); fi
if [[ -n ${KGW_DIFF_TOOL:-} ]]; then
    tool=$KGW_DIFF_TOOL # a prebuilt tool, e.g. a sanitizer build or a candidate codec fix
else
    [[ -f $build/CMakeCache.txt ]] || cmake -S "$root" -B "$build" "${gen[@]}" >/dev/null
    cmake --build "$build" --target kgw_codec_dump -j 2 >/dev/null
    tool=$build/tests/diff/kgw_codec_dump
fi
[[ -x $tool ]] || { echo "codec-diff: kgw_codec_dump was not built" >&2; exit 1; }

step "building the Java generator (mvn package)"
if ! (cd "$root/tests/codec-java" && mvn -q -B package) >"$build/codec-diff-mvn.log" 2>&1; then
    cat "$build/codec-diff-mvn.log" >&2
    echo "codec-diff: mvn package failed in tests/codec-java" >&2
    exit 1
fi
cp="$root/tests/codec-java/target/kgw-codec-java.jar:$root/tests/codec-java/target/lib/*"

rm -rf "$out"
mkdir -p "$out"
step "Java: generating messages (COUNT=$count) and record batches (BATCHES=$batches)"
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
java $java_opts -cp "$cp" org.kgw.codecdiff.Generate --out "$out" --count "$count" \
    --batches "$batches" --seed "$seed"

# run_tool MODE IN OUT NULLS: runs kgw_codec_dump; when it crashes on a line (killed
# by a signal), records a "crash" line for it (with NULLS as the missing columns) and
# resumes after it, at most 100 times, so that one codec crash does not hide the rest.
run_tool() {
    local mode=$1 in=$2 res=$3 nulls=$4 done_lines=0 crashes=0 rc n line
    : >"$res"
    while :; do
        tail -n +$((done_lines + 1)) "$in" >"$out/.rest.tsv"
        rc=0
        # In a subshell whose stderr is captured, so that the shell's own "Aborted"
        # notice lands in the crash detail rather than on the terminal.
        ("$tool" "$mode" "$out/.rest.tsv" "$out/.part.tsv"; exit $?) 2>"$out/.stderr" || rc=$?
        cat "$out/.part.tsv" >>"$res"
        if ((rc == 0)); then
            break
        fi
        if ((rc < 128)); then
            cat "$out/.stderr" >&2
            echo "codec-diff: kgw_codec_dump $mode failed (exit $rc)" >&2
            exit 1
        fi
        n=$(wc -l <"$out/.part.tsv")
        done_lines=$((done_lines + n))
        line=$(sed -n "$((done_lines + 1))p" "$in")
        printf '%s\tcrash\tkgw_codec_dump killed by signal %d: %s\t%s\n' "${line%%$'\t'*}" \
            $((rc - 128)) "$(tail -c 400 "$out/.stderr" | tr '\t\n' '  ')" "$nulls" >>"$res"
        if ((crashes < 5)); then
            echo "codec-diff: kgw_codec_dump $mode crashed on input line $((done_lines + 1));" \
                 "continuing after it (every crash is listed by the comparison)" >&2
        fi
        done_lines=$((done_lines + 1))
        crashes=$((crashes + 1))
        if ((crashes >= 100)); then
            echo "codec-diff: 100 crashes, giving up on $mode" >&2
            break
        fi
    done
    rm -f "$out/.rest.tsv" "$out/.part.tsv" "$out/.stderr"
}

step "kgw: decoding, printing, re-encoding messages"
run_tool messages "$out/messages.tsv" "$out/messages-kgw.tsv" $'null\tnull'
step "kgw: iterating, rebuilding, editing record batches"
run_tool batches "$out/batches.tsv" "$out/batches-kgw.tsv" $'null\tnull\tnull\tnull\tnull'

step "Java: reading kgw's batches back"
# shellcheck disable=SC2086
java $java_opts -cp "$cp" org.kgw.codecdiff.Verify "$out/batches-kgw.tsv" \
    "$out/batches-kgw-java.tsv"

step "comparing"
rc=0
python3 "$root/tests/diff/compare.py" "$out" || rc=$?
step "done: outputs in $out"
exit $rc
