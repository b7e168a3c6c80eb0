package io.nvfp4.simd;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import static io.nvfp4.simd.Vec.BL;
import static io.nvfp4.simd.Vec.E2M1_BITS;
import static io.nvfp4.simd.Vec.F;
import static io.nvfp4.simd.Vec.I;
import static io.nvfp4.simd.Vec.L;
import static io.nvfp4.simd.Vec.TWO_TABLES;
import static io.nvfp4.simd.Vec.WIDE;

/**
 * The GEMV kernel, {@code y = W x} for one activation row: weights stream from memory once, so the
 * work per weight is what limits it. Two row groups at a time (2L rows), 16 columns per step: four
 * code vectors and two scale vectors are loaded, and for each column {@code j}, per group, one shift
 * and one table lookup ({@code selectFrom} on the 16-entry E2M1 table: the nibble decode is a single
 * permute), one multiply by the block factors (giving the exact dequantized weights) and one FMA with
 * the broadcast {@code x[k + j]} (a memory operand shared by both groups). Four accumulators per
 * group; lanes are rows, so nothing is reduced across lanes: the sums go straight to {@code y}.
 *
 * <p>The column loop stays a loop of four (two columns of each code word per turn): fully unrolled,
 * C2 hoisted all loads and spilled registers, and ran slower. No helper takes or returns a vector,
 * so nothing can fail to inline and box (simd-lessons.md pitfall 4).
 */
final class Gemv {
    private Gemv() {}

    /**
     * {@code y[yOffset + r] = sum_k W[r][k] x[k]} for the rows of group pairs {@code [p0, p1)}; rows at or
     * past N are not written.
     *
     * @param x    activations padded with zeros to {@code w.kp} (at least that long)
     * @param tail L floats of scratch for a last, partial group
     */
    static void run(PackedWeight w, float[] x, float[] y, int yOffset, int p0, int p1, float[] tail) {
        final int[] codes = w.codes;
        final byte[] scales = w.scales;
        final boolean mx = w.mx;
        final boolean divides = w.divides;
        final float g = w.tensorScale;
        final int kp = w.kp;
        final int pcb = w.pairCodeInts;
        final int psb = w.pairScaleBytes;
        final int n = w.n;
        if (x.length < kp) {
            throw new IllegalArgumentException("x holds " + x.length + " floats, the kernel reads " + kp);
        }
        final IntVector t0 = IntVector.fromArray(I, E2M1_BITS, 0);
        final IntVector t1 = IntVector.fromArray(I, E2M1_BITS, L); // the upper half when L = 8
        final FloatVector zero = FloatVector.zero(F);
        for (int pair = p0; pair < p1; pair++) {
            final int cp = pair * pcb;
            final int sp = pair * psb;
            FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero;
            FloatVector b0 = zero, b1 = zero, b2 = zero, b3 = zero;
            FloatVector fa = zero, fb = zero;
            for (int k = 0; k < kp; k += 16) {
                final int step = k >>> 4;
                if (!mx || (step & 1) == 0) {
                    final int so = sp + (mx ? step >>> 1 : step) * (2 * L);
                    IntVector ea = (IntVector) ByteVector.fromArray(BL, scales, so)
                            .convertShape(VectorOperators.B2I, I, 0);
                    IntVector eb = (IntVector) ByteVector.fromArray(BL, scales, so + L)
                            .convertShape(VectorOperators.B2I, I, 0);
                    if (mx) {
                        // 2^(e - 127): e << 23, with e = 0 the subnormal 2^-127 and e = 255 NaN
                        ea = ea.and(0xFF);
                        eb = eb.and(0xFF);
                        fa = ea.lanewise(VectorOperators.LSHL, 23).blend(0x00400000, ea.eq(0))
                                .blend(0x7FC00000, ea.eq(0xFF)).reinterpretAsFloats();
                        fb = eb.lanewise(VectorOperators.LSHL, 23).blend(0x00400000, eb.eq(0))
                                .blend(0x7FC00000, eb.eq(0xFF)).reinterpretAsFloats();
                    } else {
                        // E4M3 bits moved into an fp32 (sign to bit 31, magnitude to bits 26..20) is the
                        // value times 2^-120, subnormals included: one exact multiply restores it.
                        IntVector ba = ea.lanewise(VectorOperators.LSHL, 20).and(0x87F00000);
                        IntVector bb = eb.lanewise(VectorOperators.LSHL, 20).and(0x87F00000);
                        FloatVector sa = ba.reinterpretAsFloats().mul(0x1p120f)
                                .blend(ba.and(0x80000000).or(0x7FC00000).reinterpretAsFloats(),
                                        ea.and(0x7F).eq(0x7F).cast(F));
                        FloatVector sb = bb.reinterpretAsFloats().mul(0x1p120f)
                                .blend(bb.and(0x80000000).or(0x7FC00000).reinterpretAsFloats(),
                                        eb.and(0x7F).eq(0x7F).cast(F));
                        fa = divides ? sa.div(g) : sa.mul(g);
                        fb = divides ? sb.div(g) : sb.mul(g);
                    }
                }
                final int co = cp + step * (4 * L);
                final IntVector qa0 = IntVector.fromArray(I, codes, co);
                final IntVector qa1 = IntVector.fromArray(I, codes, co + L);
                final IntVector qb0 = IntVector.fromArray(I, codes, co + 2 * L);
                final IntVector qb1 = IntVector.fromArray(I, codes, co + 3 * L);
                for (int j = 0; j < 8; j += 2) {
                    final FloatVector x0 = FloatVector.broadcast(F, x[k + j]);
                    final FloatVector x1 = FloatVector.broadcast(F, x[k + j + 1]);
                    final FloatVector x2 = FloatVector.broadcast(F, x[k + j + 8]);
                    final FloatVector x3 = FloatVector.broadcast(F, x[k + j + 9]);
                    final IntVector ia0 = qa0.lanewise(VectorOperators.LSHR, 4 * j);
                    final IntVector ia1 = qa0.lanewise(VectorOperators.LSHR, 4 * j + 4);
                    final IntVector ia2 = qa1.lanewise(VectorOperators.LSHR, 4 * j);
                    final IntVector ia3 = qa1.lanewise(VectorOperators.LSHR, 4 * j + 4);
                    final IntVector ib0 = qb0.lanewise(VectorOperators.LSHR, 4 * j);
                    final IntVector ib1 = qb0.lanewise(VectorOperators.LSHR, 4 * j + 4);
                    final IntVector ib2 = qb1.lanewise(VectorOperators.LSHR, 4 * j);
                    final IntVector ib3 = qb1.lanewise(VectorOperators.LSHR, 4 * j + 4);
                    a0 = (WIDE ? ia0.selectFrom(t0) : TWO_TABLES ? ia0.selectFrom(t0, t1)
                            : ia0.selectFrom(t0).or(ia0.lanewise(VectorOperators.LSHL, 28).and(0x80000000))).reinterpretAsFloats().mul(fa).fma(x0, a0);
                    a1 = (WIDE ? ia1.selectFrom(t0) : TWO_TABLES ? ia1.selectFrom(t0, t1)
                            : ia1.selectFrom(t0).or(ia1.lanewise(VectorOperators.LSHL, 28).and(0x80000000))).reinterpretAsFloats().mul(fa).fma(x1, a1);
                    a2 = (WIDE ? ia2.selectFrom(t0) : TWO_TABLES ? ia2.selectFrom(t0, t1)
                            : ia2.selectFrom(t0).or(ia2.lanewise(VectorOperators.LSHL, 28).and(0x80000000))).reinterpretAsFloats().mul(fa).fma(x2, a2);
                    a3 = (WIDE ? ia3.selectFrom(t0) : TWO_TABLES ? ia3.selectFrom(t0, t1)
                            : ia3.selectFrom(t0).or(ia3.lanewise(VectorOperators.LSHL, 28).and(0x80000000))).reinterpretAsFloats().mul(fa).fma(x3, a3);
                    b0 = (WIDE ? ib0.selectFrom(t0) : TWO_TABLES ? ib0.selectFrom(t0, t1)
                            : ib0.selectFrom(t0).or(ib0.lanewise(VectorOperators.LSHL, 28).and(0x80000000))).reinterpretAsFloats().mul(fb).fma(x0, b0);
                    b1 = (WIDE ? ib1.selectFrom(t0) : TWO_TABLES ? ib1.selectFrom(t0, t1)
                            : ib1.selectFrom(t0).or(ib1.lanewise(VectorOperators.LSHL, 28).and(0x80000000))).reinterpretAsFloats().mul(fb).fma(x1, b1);
                    b2 = (WIDE ? ib2.selectFrom(t0) : TWO_TABLES ? ib2.selectFrom(t0, t1)
                            : ib2.selectFrom(t0).or(ib2.lanewise(VectorOperators.LSHL, 28).and(0x80000000))).reinterpretAsFloats().mul(fb).fma(x2, b2);
                    b3 = (WIDE ? ib3.selectFrom(t0) : TWO_TABLES ? ib3.selectFrom(t0, t1)
                            : ib3.selectFrom(t0).or(ib3.lanewise(VectorOperators.LSHL, 28).and(0x80000000))).reinterpretAsFloats().mul(fb).fma(x3, b3);
                }
            }
            final int rowA = 2 * pair * L;
            final FloatVector ra = a0.add(a1).add(a2.add(a3));
            if (rowA + L <= n) {
                ra.intoArray(y, yOffset + rowA);
            } else {
                ra.intoArray(tail, 0);
                System.arraycopy(tail, 0, y, yOffset + rowA, n - rowA);
            }
            final int rowB = rowA + L;
            final FloatVector rb = b0.add(b1).add(b2.add(b3));
            if (rowB + L <= n) {
                rb.intoArray(y, yOffset + rowB);
            } else if (rowB < n) {
                rb.intoArray(tail, 0);
                System.arraycopy(tail, 0, y, yOffset + rowB, n - rowB);
            }
        }
    }
    /**
     * Like {@link #run}, with the block factor applied once per block to the block's sum instead of
     * to every weight: {@code y += f_b * sum_(k in b) e2m1(code_k) x_k}. One multiply fewer per
     * weight. For MX the factor is a power of two, so this is exactly a reordering of the products of
     * the dequantized weights; for NVFP4 each product differs from {@code fl(e2m1 * f) * x} by at most
     * one rounding, which stays within {@code matmulErrorBound}: a term meets at most 7 + K/16 roundings
     * (4 in its partial sum, 2 combining partials, 1 scaling, one per later block, and the weight's
     * own), no more than the K that gamma_K allows once K >= 8; {@link Matmul} uses it from K = 64.
     *
     * @param x    activations padded with zeros to {@code w.kp} (at least that long)
     * @param tail L floats of scratch for a last, partial group
     */
    static void runFactored(PackedWeight w, float[] x, float[] y, int yOffset, int p0, int p1, float[] tail) {
        final int[] codes = w.codes;
        final byte[] scales = w.scales;
        final boolean mx = w.mx;
        final boolean divides = w.divides;
        final float g = w.tensorScale;
        final int kp = w.kp;
        final int pcb = w.pairCodeInts;
        final int psb = w.pairScaleBytes;
        final int n = w.n;
        if (x.length < kp) {
            throw new IllegalArgumentException("x holds " + x.length + " floats, the kernel reads " + kp);
        }
        final IntVector t0 = IntVector.fromArray(I, E2M1_BITS, 0);
        final IntVector t1 = IntVector.fromArray(I, E2M1_BITS, L); // the upper half when L = 8
        final FloatVector zero = FloatVector.zero(F);
        for (int pair = p0; pair < p1; pair++) {
            final int cp = pair * pcb;
            final int sp = pair * psb;
            FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero;
            FloatVector b0 = zero, b1 = zero, b2 = zero, b3 = zero;
            FloatVector fa, fb;
            FloatVector sumA = zero, sumB = zero;
            for (int k = 0; k < kp; k += 16) {
                final int step = k >>> 4;
                final int co = cp + step * (4 * L);
                final IntVector qa0 = IntVector.fromArray(I, codes, co);
                final IntVector qa1 = IntVector.fromArray(I, codes, co + L);
                final IntVector qb0 = IntVector.fromArray(I, codes, co + 2 * L);
                final IntVector qb1 = IntVector.fromArray(I, codes, co + 3 * L);
                for (int j = 0; j < 8; j += 2) {
                    final FloatVector x0 = FloatVector.broadcast(F, x[k + j]);
                    final FloatVector x1 = FloatVector.broadcast(F, x[k + j + 1]);
                    final FloatVector x2 = FloatVector.broadcast(F, x[k + j + 8]);
                    final FloatVector x3 = FloatVector.broadcast(F, x[k + j + 9]);
                    final IntVector ia0 = qa0.lanewise(VectorOperators.LSHR, 4 * j);
                    final IntVector ia1 = qa0.lanewise(VectorOperators.LSHR, 4 * j + 4);
                    final IntVector ia2 = qa1.lanewise(VectorOperators.LSHR, 4 * j);
                    final IntVector ia3 = qa1.lanewise(VectorOperators.LSHR, 4 * j + 4);
                    final IntVector ib0 = qb0.lanewise(VectorOperators.LSHR, 4 * j);
                    final IntVector ib1 = qb0.lanewise(VectorOperators.LSHR, 4 * j + 4);
                    final IntVector ib2 = qb1.lanewise(VectorOperators.LSHR, 4 * j);
                    final IntVector ib3 = qb1.lanewise(VectorOperators.LSHR, 4 * j + 4);
                    a0 = (WIDE ? ia0.selectFrom(t0) : TWO_TABLES ? ia0.selectFrom(t0, t1)
                            : ia0.selectFrom(t0).or(ia0.lanewise(VectorOperators.LSHL, 28).and(0x80000000))).reinterpretAsFloats().fma(x0, a0);
                    a1 = (WIDE ? ia1.selectFrom(t0) : TWO_TABLES ? ia1.selectFrom(t0, t1)
                            : ia1.selectFrom(t0).or(ia1.lanewise(VectorOperators.LSHL, 28).and(0x80000000))).reinterpretAsFloats().fma(x1, a1);
                    a2 = (WIDE ? ia2.selectFrom(t0) : TWO_TABLES ? ia2.selectFrom(t0, t1)
                            : ia2.selectFrom(t0).or(ia2.lanewise(VectorOperators.LSHL, 28).and(0x80000000))).reinterpretAsFloats().fma(x2, a2);
                    a3 = (WIDE ? ia3.selectFrom(t0) : TWO_TABLES ? ia3.selectFrom(t0, t1)
                            : ia3.selectFrom(t0).or(ia3.lanewise(VectorOperators.LSHL, 28).and(0x80000000))).reinterpretAsFloats().fma(x3, a3);
                    b0 = (WIDE ? ib0.selectFrom(t0) : TWO_TABLES ? ib0.selectFrom(t0, t1)
                            : ib0.selectFrom(t0).or(ib0.lanewise(VectorOperators.LSHL, 28).and(0x80000000))).reinterpretAsFloats().fma(x0, b0);
                    b1 = (WIDE ? ib1.selectFrom(t0) : TWO_TABLES ? ib1.selectFrom(t0, t1)
                            : ib1.selectFrom(t0).or(ib1.lanewise(VectorOperators.LSHL, 28).and(0x80000000))).reinterpretAsFloats().fma(x1, b1);
                    b2 = (WIDE ? ib2.selectFrom(t0) : TWO_TABLES ? ib2.selectFrom(t0, t1)
                            : ib2.selectFrom(t0).or(ib2.lanewise(VectorOperators.LSHL, 28).and(0x80000000))).reinterpretAsFloats().fma(x2, b2);
                    b3 = (WIDE ? ib3.selectFrom(t0) : TWO_TABLES ? ib3.selectFrom(t0, t1)
                            : ib3.selectFrom(t0).or(ib3.lanewise(VectorOperators.LSHL, 28).and(0x80000000))).reinterpretAsFloats().fma(x3, b3);
                }
                if (!mx || (step & 1) == 1) { // the end of a block: scale its sums
                    final int so = sp + (mx ? step >>> 1 : step) * (2 * L);
                    IntVector ea = (IntVector) ByteVector.fromArray(BL, scales, so)
                            .convertShape(VectorOperators.B2I, I, 0);
                    IntVector eb = (IntVector) ByteVector.fromArray(BL, scales, so + L)
                            .convertShape(VectorOperators.B2I, I, 0);
                    if (mx) {
                        // 2^(e - 127): e << 23, with e = 0 the subnormal 2^-127 and e = 255 NaN
                        ea = ea.and(0xFF);
                        eb = eb.and(0xFF);
                        fa = ea.lanewise(VectorOperators.LSHL, 23).blend(0x00400000, ea.eq(0))
                                .blend(0x7FC00000, ea.eq(0xFF)).reinterpretAsFloats();
                        fb = eb.lanewise(VectorOperators.LSHL, 23).blend(0x00400000, eb.eq(0))
                                .blend(0x7FC00000, eb.eq(0xFF)).reinterpretAsFloats();
                    } else {
                        // E4M3 bits moved into an fp32 (sign to bit 31, magnitude to bits 26..20) is the
                        // value times 2^-120, subnormals included: one exact multiply restores it.
                        IntVector ba = ea.lanewise(VectorOperators.LSHL, 20).and(0x87F00000);
                        IntVector bb = eb.lanewise(VectorOperators.LSHL, 20).and(0x87F00000);
                        FloatVector sa = ba.reinterpretAsFloats().mul(0x1p120f)
                                .blend(ba.and(0x80000000).or(0x7FC00000).reinterpretAsFloats(),
                                        ea.and(0x7F).eq(0x7F).cast(F));
                        FloatVector sb = bb.reinterpretAsFloats().mul(0x1p120f)
                                .blend(bb.and(0x80000000).or(0x7FC00000).reinterpretAsFloats(),
                                        eb.and(0x7F).eq(0x7F).cast(F));
                        fa = divides ? sa.div(g) : sa.mul(g);
                        fb = divides ? sb.div(g) : sb.mul(g);
                    }
                    sumA = a0.add(a1).add(a2.add(a3)).fma(fa, sumA);
                    sumB = b0.add(b1).add(b2.add(b3)).fma(fb, sumB);
                    a0 = zero;
                    a1 = zero;
                    a2 = zero;
                    a3 = zero;
                    b0 = zero;
                    b1 = zero;
                    b2 = zero;
                    b3 = zero;
                }
            }
            final int rowA = 2 * pair * L;
            final FloatVector ra = sumA;
            if (rowA + L <= n) {
                ra.intoArray(y, yOffset + rowA);
            } else {
                ra.intoArray(tail, 0);
                System.arraycopy(tail, 0, y, yOffset + rowA, n - rowA);
            }
            final int rowB = rowA + L;
            final FloatVector rb = sumB;
            if (rowB + L <= n) {
                rb.intoArray(y, yOffset + rowB);
            } else if (rowB < n) {
                rb.intoArray(tail, 0);
                System.arraycopy(tail, 0, y, yOffset + rowB, n - rowB);
            }
        }
    }
}
