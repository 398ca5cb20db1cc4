#!/bin/sh
# Turns data/iso4217.csv into the C++ initialiser list of the built-in currency table.
# Codes whose minor units ISO leaves undefined (N.A.: metals, SDR, test codes) are left out:
# a monetary value needs a known number of minor units.
set -eu
csv=${1:?usage: gen_currency_table.sh data/iso4217.csv}
echo "// Generated from data/iso4217.csv by scripts/gen_currency_table.sh. Do not edit."
grep -v '^#' "$csv" | awk -F, 'NR > 1 && $3 != "N.A." {
    printf "{\"%s\", %d, %d, %s, %s},\n", $1, $2, $3, $4, $5
}'
