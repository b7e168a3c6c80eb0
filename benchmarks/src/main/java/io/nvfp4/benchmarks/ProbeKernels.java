package io.nvfp4.benchmarks;

import java.util.Arrays;

/**
 * The plain-Java roofline kernels (no Vector API; C2 vectorizes them) and the work one probe call
 * does, which the report turns into GB/s and GFLOP/s. {@link VectorProbeKernels} has the Vector API
 * twins; the report keeps whichever is faster as the roofline.
 */
final class ProbeKernels {
    /** Lane FMAs one thread does in one FMA probe call: 2^28, about 2.5 ms at 200 GFLOP/s. */
    static final long LANE_FMAS_PER_THREAD = 1L << 28;
    /** Tasks per thread the FMA probe's work is split into, so that no thread idles at the end. */
    static final int FMA_TASKS_PER_THREAD = 8;
    /** Floats updated per pass of the plain-Java FMA loop: 16 KiB, resident in L1. */
    static final int FMA_LOOP_FLOATS = 4096;
    /** Dependent FMAs per float and pass: with 4096 independent floats the core always has work. */
    static final int FMA_CHAIN = 8;
    /** Multiplier and addend of the FMA recurrence a = a * M + C, which stays near C / (1 - M) = 0.1. */
    static final float M = 0.999999f;
    static final float C = 1e-7f;

    private ProbeKernels() {}

    /** Sum of {@code a[from .. to)}: a reduction C2 vectorizes. */
    static long sum(long[] a, int from, int to) {
        long s = 0;
        for (int i = from; i < to; i++) {
            s += a[i];
        }
        return s;
    }

    /** {@code laneFmas} fp32 FMAs (a multiple of 2^15) in chains over an L1-resident array. */
    static float fmaLoop(long laneFmas) {
        float[] acc = new float[FMA_LOOP_FLOATS];
        Arrays.fill(acc, 1f);
        long passes = laneFmas / ((long) FMA_LOOP_FLOATS * FMA_CHAIN);
        for (long p = 0; p < passes; p++) {
            fmaPass(acc);
        }
        float s = 0;
        for (float v : acc) {
            s += v;
        }
        return s;
    }

    /** One pass of {@link #FMA_CHAIN} dependent FMAs on every float: a method C2 compiles whole and vectorizes. */
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
