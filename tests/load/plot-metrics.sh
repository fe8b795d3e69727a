#!/usr/bin/env bash
# Plots what tests/load/scrape-metrics.py scraped during a load run into a PNG
# (gnuplot, Debian's gnuplot-nox): brokered calls and receipts per second,
# receipts per group commit, mean latencies (provider call, receipt append,
# commit write), open connections and the scrape's own time.
#
# usage: tests/load/plot-metrics.sh METRICS.tsv OUT.png [TITLE]
set -euo pipefail
tsv=$1
png=$2
title=${3:-Wams Broker metrics during tests/load/run-load.sh}
gnuplot <<GNUPLOT
set terminal pngcairo size 1200,900 font "sans,10"
set output "$png"
set datafile separator "\t"
set key autotitle columnhead top left
set grid
set xlabel "seconds"
set multiplot layout 3,1 title "$title"
set ylabel "per second"
plot "$tsv" using 1:3 with lines lw 2 title "RequestData OK (calls/s)", \
     "" using 1:5 with lines lw 2 title "receipts/s (decision + answer + case)"
set ylabel "ms"
set y2label "receipts per commit"
set y2tics
plot "$tsv" using 1:9 with lines lw 2 title "provider call, mean ms", \
     "" using 1:8 with lines lw 2 title "receipt append, mean ms", \
     "" using 1:7 with lines lw 2 title "group commit write, mean ms", \
     "" using 1:6 axes x1y2 with lines lw 2 title "receipts per group commit (right)"
unset y2tics
unset y2label
set ylabel "count / ms"
plot "$tsv" using 1:10 with lines lw 2 title "open connections", \
     "" using 1:2 with lines lw 2 title "scrape time, ms"
unset multiplot
GNUPLOT
echo "wrote $png"
