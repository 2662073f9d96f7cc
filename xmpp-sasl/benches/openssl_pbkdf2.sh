#!/usr/bin/env bash
# Times OpenSSL's PBKDF2 for the hashes SCRAM uses, per 4096 iterations, for comparison
# with `cargo bench -p xmpp-sasl --bench scram` ("PBKDF2 4096 iterations" group).
#
# Each run of `openssl kdf` is timed at 1 iteration (process start-up, key setup) and at
# ITER iterations; the difference divided by ITER/4096 is the cost of 4096 iterations.
# Best of RUNS runs, to be robust against other load on the machine.
set -euo pipefail
ITER=${ITER:-409600}
RUNS=${RUNS:-5}

best_seconds() { # digest iterations
    local best=
    for _ in $(seq "$RUNS"); do
        local start end t
        start=$(date +%s%N)
        openssl kdf -keylen 20 -kdfopt "digest:$1" -kdfopt pass:pencil \
            -kdfopt salt:AAAAAAAAAAAAAAAA -kdfopt "iter:$2" PBKDF2 >/dev/null
        end=$(date +%s%N)
        t=$((end - start))
        if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
    done
    echo "$best"
}

openssl version
for digest in SHA1 SHA256 SHA512; do
    base=$(best_seconds "$digest" 1)
    long=$(best_seconds "$digest" "$ITER")
    echo "$digest: $(( (long - base) * 4096 / ITER / 1000 )) us per 4096 iterations (start-up $((base / 1000)) us)"
done
