"""chainrule's benchmark suite: ``python -m bench`` (see ``bench/README.md``)."""

# The thread-count variables every child process gets (BLAS and OpenMP pools).
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
