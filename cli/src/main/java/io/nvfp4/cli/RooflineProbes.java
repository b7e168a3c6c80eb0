package io.nvfp4.cli;

import io.nvfp4.backend.ComputePool;

import java.util.Arrays;

/**
 * The two roofline probes of {@code nvfp4 bench}, in plain Java that C2 vectorizes (the cli does not
 * use the incubating Vector API; the benchmarks module measures both kinds and keeps the faster).
 * Each reports its fastest timed repetition: a roofline is what the machine can do, and other work
 * on it only ever slows a probe down.
 * <ul>
 * <li>memory: a streaming read, a sum over a {@code long[]} of as many bytes as the GEMV cycles
 *     through, split over the pool's threads;</li>
 * <li>compute: chains of fp32 FMAs over an L1-resident array of independent accumulators on every
 *     thread of the pool.</li>
 * </ul>
 */
final class RooflineProbes {
    /** Tasks per thread, so that no thread idles at the end of a call. */
    private static final int TASKS_PER_THREAD = 8;
    /** Floats updated per pass of the FMA loop: 16 KiB, resident in L1. */
    private static final int FMA_FLOATS = 4096;
    /** Dependent FMAs per float and pass. */
    private static final int FMA_CHAIN = 8;
    /** Lane FMAs of one FMA task: 2^21. */
    private static final long FMA_PER_TASK = 1L << 21;
    private static final float M = 0.999999f;
    private static final float C = 1e-7f;

    private RooflineProbes() {}

    /** GB/s of a streaming read of {@code bytes} (rounded up to whole longs) on {@code threads} threads. */
    static double streamReadGbps(long bytes, int threads, BenchTimer timer) {
        long[] data = new long[Math.toIntExact(Math.ceilDiv(bytes, Long.BYTES))];
        for (int i = 0; i < data.length; i++) {
            data[i] = i;
        }
        long[] partial = new long[threads * TASKS_PER_THREAD];
        int size = Math.ceilDiv(data.length, partial.length);
        long[] sink = new long[1];
        try (ComputePool pool = ComputePool.create(threads)) {
            double t = timer.measure(() -> {
                pool.parallelFor(partial.length, task -> {
                    partial[task] = sum(data, task * size, Math.min(data.length, task * size + size));
                });
                sink[0] += Arrays.stream(partial).sum();
            }).best();
            return (double) data.length * Long.BYTES / t / 1e9;
        }
    }

    /** GFLOP/s of independent fp32 FMAs on {@code threads} threads. */
    static double fmaGflops(int threads, BenchTimer timer) {
        float[] results = new float[threads * TASKS_PER_THREAD];
        try (ComputePool pool = ComputePool.create(threads)) {
            double t = timer.measure(
                    () -> pool.parallelFor(results.length, task -> results[task] += fmaLoop())).best();
            return 2.0 * FMA_PER_TASK * results.length / t / 1e9;
        }
    }

    private static long sum(long[] a, int from, int to) {
        long s = 0;
        for (int i = from; i < to; i++) {
            s += a[i];
        }
        return s;
    }

    /** {@link #FMA_PER_TASK} lane FMAs: passes of chains of 8 over 4096 independent floats. */
    private static float fmaLoop() {
        float[] acc = new float[FMA_FLOATS];
        Arrays.fill(acc, 1f);
        for (long pass = 0; pass < FMA_PER_TASK / (FMA_FLOATS * FMA_CHAIN); pass++) {
            fmaPass(acc);
        }
        float s = 0;
        for (float v : acc) {
            s += v;
        }
        return s;
    }

    /**
     * One pass, a method of its own: called thousands of times a probe call, it is compiled whole by C2
     * (and vectorized) early in the warm-up, rather than entered through on-stack replacement.
     */
    private static void fmaPass(float[] acc) {
        for (int i = 0; i < acc.length; i++) {
            float v = acc[i];
            v = Math.fma(v, M, C);
            v = Math.fma(v, M, C);
            v = Math.fma(v, M, C);
            v = Math.fma(v, M, C);
            v = Math.fma(v, M, C);
            v = Math.fma(v, M, C);
            v = Math.fma(v, M, C);
            v = Math.fma(v, M, C);
            acc[i] = v;
        }
    }
}
