#!/bin/sh
# Turns data/iso4217.csv into the C++ initialiser list of the built-in currency table.
# Codes whose minor units ISO leaves undefined (N.A.: metals, SDR, test codes) are left out:
# a monetary value needs a known number of minor units. The one exception is XXX, ISO's code
# for "no currency", built in with 0 minor units: '0 XXX' is the ledger's currency-free zero.
set -eu
csv=${1:?usage: gen_currency_table.sh data/iso4217.csv}
echo "// Generated from data/iso4217.csv by scripts/gen_currency_table.sh. Do not edit."
grep -v '^#' "$csv" | awk -F, 'NR > 1 && ($3 != "N.A." || $1 == "XXX") {
    printf "{\"%s\", %d, %d, %s, %s},\n", $1, $2, ($1 == "XXX" ? 0 : $3), $4, $5
}'
