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
 * The GEMM kernels, {@code y = x W^T} for many activation rows: dequantize a panel of W once into an
 * L1-resident fp32 tile and reuse it for every row of x with a register-blocked FMA micro-kernel.
 *
 * <ul>
 * <li>Panel: {@link #NC} = 4L output columns (4 row groups of W) by {@link #KC} columns of K: a
 *     32 KB tile, stored {@code tile[k][n]} so that a vector load gives 16 (or 8) output columns at
 *     one k. The packed layout decodes straight into that order: no transpose.</li>
 * <li>x is packed by rows of {@link #MR}: {@code xp[(block * kp + k) * MR + r]}, so the micro-kernel's
 *     broadcasts read one sequential stream.</li>
 * <li>Micro-kernel: {@link #MR} = 6 rows of x by 4 vectors of the tile: 24 accumulators, per k four
 *     tile loads, six broadcasts (loads) and 24 FMAs.</li>
 * </ul>
 * Each output is one fp32 FMA chain over k in increasing order, the same order as the scalar
 * reference, so the GEMM result does not depend on the tiling or the thread count.
 */
final class Gemm {
    /** Rows of x per micro-kernel. */
    static final int MR = 6;
    /** Output columns per panel: four row groups. */
    static final int NC = 4 * L;
    /** K columns per tile: 32 KB of fp32 (a multiple of 32, so MX blocks never straddle tiles). */
    static final int KC = 8192 / NC;

    private Gemm() {}

    /**
     * Decodes W rows {@code [g0 * L, (g0 + ng) * L)} by columns {@code [k0, k0 + kc)} into
     * {@code tile[(k - k0) * NC + (g - g0) * L + lane]}.
     */
    static void decodeTile(PackedWeight w, int g0, int ng, int k0, int kc, float[] tile) {
        final int[] codes = w.codes;
        final byte[] scales = w.scales;
        final boolean mx = w.mx;
        final boolean divides = w.divides;
        final float g = w.tensorScale;
        final IntVector t0 = IntVector.fromArray(I, E2M1_BITS, 0);
        final IntVector t1 = IntVector.fromArray(I, E2M1_BITS, L);
        final int rowStride = NC;
        for (int q = 0; q < ng; q++) {
            final int group = g0 + q;
            final int cBase = (group >>> 1) * w.pairCodeInts + (group & 1) * (2 * L);
            final int sBase = (group >>> 1) * w.pairScaleBytes + (group & 1) * L;
            FloatVector f = FloatVector.zero(F);
            for (int k = k0; k < k0 + kc; k += 16) {
                final int step = k >>> 4;
                if (!mx || (step & 1) == 0) {
                    IntVector e = (IntVector) ByteVector.fromArray(BL, scales,
                            sBase + (mx ? step >>> 1 : step) * (2 * L)).convertShape(VectorOperators.B2I, I, 0);
                    if (mx) {
                        e = e.and(0xFF);
                        f = e.lanewise(VectorOperators.LSHL, 23).blend(0x00400000, e.eq(0))
                                .blend(0x7FC00000, e.eq(0xFF)).reinterpretAsFloats();
                    } else {
                        IntVector b = e.lanewise(VectorOperators.LSHL, 20).and(0x87F00000);
                        FloatVector s = b.reinterpretAsFloats().mul(0x1p120f)
                                .blend(b.and(0x80000000).or(0x7FC00000).reinterpretAsFloats(),
                                        e.and(0x7F).eq(0x7F).cast(F));
                        f = divides ? s.div(g) : s.mul(g);
                    }
                }
                final int co = cBase + step * (4 * L);
                final IntVector c0 = IntVector.fromArray(I, codes, co);
                final IntVector c1 = IntVector.fromArray(I, codes, co + L);
                final int t = (k - k0) * NC + q * L;
                for (int j = 0; j < 8; j++) {
                    final IntVector i0 = c0.lanewise(VectorOperators.LSHR, 4 * j);
                    final IntVector i1 = c1.lanewise(VectorOperators.LSHR, 4 * j);
                    (WIDE ? i0.selectFrom(t0) : TWO_TABLES ? i0.selectFrom(t0, t1)
                            : i0.selectFrom(t0).or(i0.lanewise(VectorOperators.LSHL, 28).and(0x80000000))).reinterpretAsFloats().mul(f)
                            .intoArray(tile, t + j * rowStride);
                    (WIDE ? i1.selectFrom(t0) : TWO_TABLES ? i1.selectFrom(t0, t1)
                            : i1.selectFrom(t0).or(i1.lanewise(VectorOperators.LSHL, 28).and(0x80000000))).reinterpretAsFloats().mul(f)
                            .intoArray(tile, t + (j + 8) * rowStride);
                }
            }
        }
    }

    /**
     * Six rows of x (packed block at {@code xp[xBase ...]}, stride {@link #MR} per k) times the tile over
     * {@code kc} columns, added to (or, if {@code first}, stored in) {@code yt[ytRow * NC ...]} rows
     * {@code ytRow .. ytRow + 5}.
     */
    static void micro6(float[] xp, int xBase, float[] tile, int kc, float[] yt, int ytRow, boolean first) {
        final int y0 = ytRow * NC;
        final FloatVector z = FloatVector.zero(F);
        FloatVector c00 = first ? z : FloatVector.fromArray(F, yt, y0);
        FloatVector c01 = first ? z : FloatVector.fromArray(F, yt, y0 + L);
        FloatVector c02 = first ? z : FloatVector.fromArray(F, yt, y0 + 2 * L);
        FloatVector c03 = first ? z : FloatVector.fromArray(F, yt, y0 + 3 * L);
        FloatVector c10 = first ? z : FloatVector.fromArray(F, yt, y0 + NC);
        FloatVector c11 = first ? z : FloatVector.fromArray(F, yt, y0 + NC + L);
        FloatVector c12 = first ? z : FloatVector.fromArray(F, yt, y0 + NC + 2 * L);
        FloatVector c13 = first ? z : FloatVector.fromArray(F, yt, y0 + NC + 3 * L);
        FloatVector c20 = first ? z : FloatVector.fromArray(F, yt, y0 + 2 * NC);
        FloatVector c21 = first ? z : FloatVector.fromArray(F, yt, y0 + 2 * NC + L);
        FloatVector c22 = first ? z : FloatVector.fromArray(F, yt, y0 + 2 * NC + 2 * L);
        FloatVector c23 = first ? z : FloatVector.fromArray(F, yt, y0 + 2 * NC + 3 * L);
        FloatVector c30 = first ? z : FloatVector.fromArray(F, yt, y0 + 3 * NC);
        FloatVector c31 = first ? z : FloatVector.fromArray(F, yt, y0 + 3 * NC + L);
        FloatVector c32 = first ? z : FloatVector.fromArray(F, yt, y0 + 3 * NC + 2 * L);
        FloatVector c33 = first ? z : FloatVector.fromArray(F, yt, y0 + 3 * NC + 3 * L);
        FloatVector c40 = first ? z : FloatVector.fromArray(F, yt, y0 + 4 * NC);
        FloatVector c41 = first ? z : FloatVector.fromArray(F, yt, y0 + 4 * NC + L);
        FloatVector c42 = first ? z : FloatVector.fromArray(F, yt, y0 + 4 * NC + 2 * L);
        FloatVector c43 = first ? z : FloatVector.fromArray(F, yt, y0 + 4 * NC + 3 * L);
        FloatVector c50 = first ? z : FloatVector.fromArray(F, yt, y0 + 5 * NC);
        FloatVector c51 = first ? z : FloatVector.fromArray(F, yt, y0 + 5 * NC + L);
        FloatVector c52 = first ? z : FloatVector.fromArray(F, yt, y0 + 5 * NC + 2 * L);
        FloatVector c53 = first ? z : FloatVector.fromArray(F, yt, y0 + 5 * NC + 3 * L);
        if (xBase + kc * MR > xp.length) {
            throw new IllegalArgumentException("packed x too short");
        }
        for (int k = 0; k < kc; k++) {
            final int t = k * NC;
            final FloatVector w0 = FloatVector.fromArray(F, tile, t);
            final FloatVector w1 = FloatVector.fromArray(F, tile, t + L);
            final FloatVector w2 = FloatVector.fromArray(F, tile, t + 2 * L);
            final FloatVector w3 = FloatVector.fromArray(F, tile, t + 3 * L);
            final int xk = xBase + k * MR;
            FloatVector b = FloatVector.broadcast(F, xp[xk]);
            c00 = w0.fma(b, c00);
            c01 = w1.fma(b, c01);
            c02 = w2.fma(b, c02);
            c03 = w3.fma(b, c03);
            b = FloatVector.broadcast(F, xp[xk + 1]);
            c10 = w0.fma(b, c10);
            c11 = w1.fma(b, c11);
            c12 = w2.fma(b, c12);
            c13 = w3.fma(b, c13);
            b = FloatVector.broadcast(F, xp[xk + 2]);
            c20 = w0.fma(b, c20);
            c21 = w1.fma(b, c21);
            c22 = w2.fma(b, c22);
            c23 = w3.fma(b, c23);
            b = FloatVector.broadcast(F, xp[xk + 3]);
            c30 = w0.fma(b, c30);
            c31 = w1.fma(b, c31);
            c32 = w2.fma(b, c32);
            c33 = w3.fma(b, c33);
            b = FloatVector.broadcast(F, xp[xk + 4]);
            c40 = w0.fma(b, c40);
            c41 = w1.fma(b, c41);
            c42 = w2.fma(b, c42);
            c43 = w3.fma(b, c43);
            b = FloatVector.broadcast(F, xp[xk + 5]);
            c50 = w0.fma(b, c50);
            c51 = w1.fma(b, c51);
            c52 = w2.fma(b, c52);
            c53 = w3.fma(b, c53);
        }
        c00.intoArray(yt, y0);
        c01.intoArray(yt, y0 + L);
        c02.intoArray(yt, y0 + 2 * L);
        c03.intoArray(yt, y0 + 3 * L);
        c10.intoArray(yt, y0 + NC);
        c11.intoArray(yt, y0 + NC + L);
        c12.intoArray(yt, y0 + NC + 2 * L);
        c13.intoArray(yt, y0 + NC + 3 * L);
        c20.intoArray(yt, y0 + 2 * NC);
        c21.intoArray(yt, y0 + 2 * NC + L);
        c22.intoArray(yt, y0 + 2 * NC + 2 * L);
        c23.intoArray(yt, y0 + 2 * NC + 3 * L);
        c30.intoArray(yt, y0 + 3 * NC);
        c31.intoArray(yt, y0 + 3 * NC + L);
        c32.intoArray(yt, y0 + 3 * NC + 2 * L);
        c33.intoArray(yt, y0 + 3 * NC + 3 * L);
        c40.intoArray(yt, y0 + 4 * NC);
        c41.intoArray(yt, y0 + 4 * NC + L);
        c42.intoArray(yt, y0 + 4 * NC + 2 * L);
        c43.intoArray(yt, y0 + 4 * NC + 3 * L);
        c50.intoArray(yt, y0 + 5 * NC);
        c51.intoArray(yt, y0 + 5 * NC + L);
        c52.intoArray(yt, y0 + 5 * NC + 2 * L);
        c53.intoArray(yt, y0 + 5 * NC + 3 * L);
    }

    /** One row {@code r} of a packed x block times the tile (the rows left over when a block is partial). */
    static void micro1(float[] xp, int xBase, int r, float[] tile, int kc, float[] yt, int ytRow, boolean first) {
        final int y0 = ytRow * NC;
        final FloatVector z = FloatVector.zero(F);
        FloatVector c0 = first ? z : FloatVector.fromArray(F, yt, y0);
        FloatVector c1 = first ? z : FloatVector.fromArray(F, yt, y0 + L);
        FloatVector c2 = first ? z : FloatVector.fromArray(F, yt, y0 + 2 * L);
        FloatVector c3 = first ? z : FloatVector.fromArray(F, yt, y0 + 3 * L);
        if (xBase + kc * MR > xp.length) {
            throw new IllegalArgumentException("packed x too short");
        }
        for (int k = 0; k < kc; k++) {
            final int t = k * NC;
            final FloatVector b = FloatVector.broadcast(F, xp[xBase + k * MR + r]);
            c0 = FloatVector.fromArray(F, tile, t).fma(b, c0);
            c1 = FloatVector.fromArray(F, tile, t + L).fma(b, c1);
            c2 = FloatVector.fromArray(F, tile, t + 2 * L).fma(b, c2);
            c3 = FloatVector.fromArray(F, tile, t + 3 * L).fma(b, c3);
        }
        c0.intoArray(yt, y0);
        c1.intoArray(yt, y0 + L);
        c2.intoArray(yt, y0 + 2 * L);
        c3.intoArray(yt, y0 + 3 * L);
    }
}
