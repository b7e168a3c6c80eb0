package io.nvfp4.cli;

import java.util.Arrays;

/**
 * The timing harness of {@code nvfp4 bench}: warm-up, then repetitions of calibrated batches. Not JMH
 * (that is the benchmarks module); short and good enough to compare a kernel with a probe measured
 * the same way in the same JVM.
 *
 * <p>Warm-up calls the operation for at least {@code warmupNanos}, and on while calls still get
 * markedly faster (the JIT is still compiling: Vector API code runs very slowly until C2 compiles
 * it), up to {@link #WARMUP_CAP_NANOS}. The last call's time then sets the batch size: each
 * repetition times a batch of calls lasting about {@code batchNanos}. A slow operation (one call
 * longer than the batch) gets only as many repetitions as fit {@link #ROW_BUDGET_NANOS}, at least
 * one: its calls are long enough to vary little, and the whole run stays short even on the scalar
 * reference.
 *
 * @param warmupNanos least warm-up time per measurement
 * @param batchNanos  least time of one timed repetition
 * @param reps        timed repetitions (fewer for slow calls)
 */
record BenchTimer(long warmupNanos, long batchNanos, int reps) {
    static final long ROW_BUDGET_NANOS = 2_000_000_000L;
    static final long WARMUP_CAP_NANOS = 5_000_000_000L;
    /** A call this much faster than the best before it means the JIT is still at work. */
    private static final double STILL_IMPROVING = 0.8;

    /**
     * Seconds of one call: the median and the fastest of the timed repetitions.
     *
     * @param median for kernels: what the operation typically takes
     * @param best   for the roofline probes: what the machine can do (interference only slows a probe)
     */
    record Timing(double median, double best) {}

    /** Times {@code call}: warm-up, then {@link #reps} repetitions, or fewer for a slow call (see above). */
    Timing measure(Runnable call) {
        long start = System.nanoTime();
        long best = Long.MAX_VALUE;
        long last;
        boolean improving;
        do {
            long t = System.nanoTime();
            call.run();
            last = Math.max(1, System.nanoTime() - t);
            improving = last < STILL_IMPROVING * best;
            best = Math.min(best, last);
        } while (System.nanoTime() - start < warmupNanos
                || (improving && System.nanoTime() - start < WARMUP_CAP_NANOS));
        int batch = (int) Math.max(1, Math.min(1_000_000, batchNanos / last));
        int n = reps;
        if (batch == 1 && last * reps > ROW_BUDGET_NANOS) {
            n = (int) Math.min(reps, Math.max(1, ROW_BUDGET_NANOS / last));
        }
        double[] seconds = new double[n];
        for (int r = 0; r < n; r++) {
            long t = System.nanoTime();
            for (int i = 0; i < batch; i++) {
                call.run();
            }
            seconds[r] = (System.nanoTime() - t) / 1e9 / batch;
        }
        return new Timing(median(seconds), Arrays.stream(seconds).min().orElseThrow());
    }

    /** The median (the mean of the middle two for an even count). */
    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
