#!/bin/sh
# Data flows one way through the pipeline: no stage includes a later one.
# Stages from lowest to highest; a file in src/<stage>/ may include only its
# own stage, earlier stages and the public headers (parallax/).
#   check_stage_includes.sh SRC_DIR
set -eu
src=$1
order="core graph format kernels memory plan partition schedule backends runtime capi tools"
rank() {
  i=0
  for s in $order; do
    [ "$s" = "$1" ] && { echo $i; return; }
    i=$((i + 1))
  done
  echo -1
}
bad=0
for stage in $order; do
  [ -d "$src/$stage" ] || continue
  r=$(rank "$stage")
  # Every '#include "<folder>/...' of the stage's files, as "file folder".
  for pair in $(grep -rHoE '#include "[a-z_]+/' "$src/$stage" | sed -E 's/:#include "([a-z_]+)\//|\1/'); do
    file=${pair%|*}
    dep=${pair#*|}
    [ "$dep" = parallax ] && continue
    d=$(rank "$dep")
    if [ "$d" -lt 0 ]; then
      echo "unknown stage '$dep' included by ${file#$src/}"
      bad=1
    elif [ "$d" -gt "$r" ]; then
      echo "${file#$src/} (stage $stage) includes $dep/, a later stage"
      bad=1
    fi
  done
done
[ $bad -eq 0 ] && echo "stage includes: every include goes to the same or an earlier stage"
exit $bad
