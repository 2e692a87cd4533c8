#!/usr/bin/env bash
# The import benchmarks' file: a header and $1 containers of site `bench`, on stdout.
set -euo pipefail
awk -v n="$1" 'BEGIN {
  print "site_code,area_code,external_ref,type,status,capacity_litres,latitude,longitude,address,installed_on";
  for (i = 1; i <= n; i++)
    printf "bench,,R%d,street_bin,active,2500,%.6f,%.6f,%d rue du Banc,2024-03-01\n", i, 45 + (i % 1000) / 10000, 4.8 + int(i / 1000) / 10000, i % 300;
}'
