package io.nvfp4.benchmarks;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The Vector API roofline kernels, at the JVM's preferred vector width. */
final class VectorProbeKernels {
    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private VectorProbeKernels() {}

    /** Sum of {@code a[from .. to)} with four vector accumulators and a scalar tail. */
    static long sum(long[] a, int from, int to) {
        LongVector s0 = LongVector.zero(L);
        LongVector s1 = s0;
        LongVector s2 = s0;
        LongVector s3 = s0;
        int step = L.length();
        int i = from;
        for (; i + 4 * step <= to; i += 4 * step) {
            s0 = s0.add(LongVector.fromArray(L, a, i));
            s1 = s1.add(LongVector.fromArray(L, a, i + step));
            s2 = s2.add(LongVector.fromArray(L, a, i + 2 * step));
            s3 = s3.add(LongVector.fromArray(L, a, i + 3 * step));
        }
        long s = s0.add(s1).add(s2).add(s3).reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            s += a[i];
        }
        return s;
    }

    /**
     * {@code laneFmas} lane FMAs (a multiple of 16 vectors) on 16 independent vector accumulators in
     * registers: enough in flight to cover the FMA latency on two pipes.
     */
    static float fma(long laneFmas) {
        FloatVector m = FloatVector.broadcast(F, ProbeKernels.M);
        FloatVector c = FloatVector.broadcast(F, ProbeKernels.C);
        FloatVector a0 = FloatVector.broadcast(F, 1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector a8 = a0, a9 = a0, a10 = a0, a11 = a0, a12 = a0, a13 = a0, a14 = a0, a15 = a0;
        long iterations = laneFmas / (16L * F.length());
        for (long i = 0; i < iterations; i++) {
            a0 = a0.fma(m, c); a1 = a1.fma(m, c); a2 = a2.fma(m, c); a3 = a3.fma(m, c);
            a4 = a4.fma(m, c); a5 = a5.fma(m, c); a6 = a6.fma(m, c); a7 = a7.fma(m, c);
            a8 = a8.fma(m, c); a9 = a9.fma(m, c); a10 = a10.fma(m, c); a11 = a11.fma(m, c);
            a12 = a12.fma(m, c); a13 = a13.fma(m, c); a14 = a14.fma(m, c); a15 = a15.fma(m, c);
        }
        FloatVector s = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7)
                .add(a8).add(a9).add(a10).add(a11).add(a12).add(a13).add(a14).add(a15);
        return s.reduceLanes(VectorOperators.ADD);
    }
}
