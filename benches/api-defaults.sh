# Sourced by the benchmarks: the API's defaults for HTTP workers (half the CPUs, at least
# one) and its pool (twice the CPUs, plus one kept for background work), passed explicitly
# so that older binaries, whose defaults were every CPU and 16, are measured alike.
# HTTP_WORKERS and BENCH_API_POOL override them. Sets `workers` and `api_pool`.
cpus=$(nproc)
workers=${HTTP_WORKERS:-$(( cpus > 1 ? cpus / 2 : 1 ))}
api_pool=${BENCH_API_POOL:-$(( 2 * cpus + 1 ))}
