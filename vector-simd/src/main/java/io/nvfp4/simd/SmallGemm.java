package io.nvfp4.simd;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import static io.nvfp4.simd.Gemm.MR;
import static io.nvfp4.simd.Vec.BL;
import static io.nvfp4.simd.Vec.E2M1_BITS;
import static io.nvfp4.simd.Vec.F;
import static io.nvfp4.simd.Vec.I;
import static io.nvfp4.simd.Vec.L;
import static io.nvfp4.simd.Vec.TWO_TABLES;
import static io.nvfp4.simd.Vec.WIDE;

/**
 * The GEMM kernel for a few rows of x (a sentence's tokens, a short prompt): each weight vector is
 * decoded in registers, as the GEMV decodes it, and used at once for {@link Gemm#MR} = 6 rows of x.
 * The tile GEMM ({@link Gemm}) decodes a panel into memory first, which costs as much as about 70
 * rows of FMAs would (a vector store per 16 weights, and each store's bounds check): worth it for
 * hundreds of rows, most of the time for a dozen.
 *
 * <p>Per 16-column step of a group pair: two block-factor vectors and four code vectors are loaded;
 * per column, each group's weights are decoded (shift, table permute, multiply by the factor: the
 * exact dequantized weights) and multiplied into 6 rows' accumulators, 12 FMA chains in all, enough
 * to hide the FMA latency. x comes packed as for the tile GEMM ({@code xp[(block * kp + k) * MR + r]},
 * zero past the last row), so the six broadcasts of a column are adjacent floats. Each output is one
 * FMA chain over k in increasing order, bit for bit what the tile GEMM and the scalar reference give.
 */
final class SmallGemm {
    private SmallGemm() {}

    /**
     * {@code y[row][col]} for x rows {@code [0, rows)} (packed in {@code xp}, the first row being y row
     * {@code m0}) and the W rows of group pairs {@code [p0, p1)}; W rows at or past N are not written.
     *
     * @param out {@code 2 * MR * L} floats of scratch: the sums on their way to y (whose last group may be partial)
     */
    static void run(PackedWeight w, float[] xp, int m0, int rows, float[] y, int p0, int p1, float[] out) {
        final int[] codes = w.codes;
        final byte[] scales = w.scales;
        final boolean mx = w.mx;
        final boolean divides = w.divides;
        final float g = w.tensorScale;
        final int kp = w.kp;
        final int n = w.n;
        final int blocks = Math.ceilDiv(rows, MR);
        if (xp.length < blocks * kp * MR) {
            throw new IllegalArgumentException("packed x holds " + xp.length + " floats, the kernel reads " + blocks * kp * MR);
        }
        if (out.length < 2 * MR * L) {
            throw new IllegalArgumentException("scratch for the sums too short: " + out.length);
        }
        final IntVector t0 = IntVector.fromArray(I, E2M1_BITS, 0);
        final IntVector t1 = IntVector.fromArray(I, E2M1_BITS, L); // the upper half when L = 8
        final FloatVector zero = FloatVector.zero(F);
        for (int pair = p0; pair < p1; pair++) {
            final int cp = pair * w.pairCodeInts;
            final int sp = pair * w.pairScaleBytes;
            for (int b = 0; b < blocks; b++) { // the pair's codes stay in L1 for every block of x
                final int xBase = b * kp * MR;
                FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero;
                FloatVector b0 = zero, b1 = zero, b2 = zero, b3 = zero, b4 = zero, b5 = zero;
                FloatVector fa = zero, fb = zero;
                for (int k = 0; k < kp; k += 16) {
                    final int step = k >>> 4;
                    if (!mx || (step & 1) == 0) {
                        final int so = sp + (mx ? step >>> 1 : step) * (2 * L);
                        IntVector ea = (IntVector) ByteVector.fromArray(BL, scales, so)
                                .convertShape(VectorOperators.B2I, I, 0);
                        IntVector eb = (IntVector) ByteVector.fromArray(BL, scales, so + L)
                                .convertShape(VectorOperators.B2I, I, 0);
                        if (mx) { // as in Gemv.run
                            ea = ea.and(0xFF);
                            eb = eb.and(0xFF);
                            fa = ea.lanewise(VectorOperators.LSHL, 23).blend(0x00400000, ea.eq(0))
                                    .blend(0x7FC00000, ea.eq(0xFF)).reinterpretAsFloats();
                            fb = eb.lanewise(VectorOperators.LSHL, 23).blend(0x00400000, eb.eq(0))
                                    .blend(0x7FC00000, eb.eq(0xFF)).reinterpretAsFloats();
                        } else {
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
                    // word 0 holds columns k .. k+7, word 1 columns k+8 .. k+15: word 0 first keeps k order
                    for (int word = 0; word < 2; word++) {
                        final IntVector qa = IntVector.fromArray(I, codes, co + word * L);
                        final IntVector qb = IntVector.fromArray(I, codes, co + (2 + word) * L);
                        for (int j = 0; j < 8; j++) {
                            final IntVector ia = qa.lanewise(VectorOperators.LSHR, 4 * j);
                            final IntVector ib = qb.lanewise(VectorOperators.LSHR, 4 * j);
                            final FloatVector wa = (WIDE ? ia.selectFrom(t0) : TWO_TABLES ? ia.selectFrom(t0, t1)
                                    : ia.selectFrom(t0).or(ia.lanewise(VectorOperators.LSHL, 28).and(0x80000000)))
                                    .reinterpretAsFloats().mul(fa);
                            final FloatVector wb = (WIDE ? ib.selectFrom(t0) : TWO_TABLES ? ib.selectFrom(t0, t1)
                                    : ib.selectFrom(t0).or(ib.lanewise(VectorOperators.LSHL, 28).and(0x80000000)))
                                    .reinterpretAsFloats().mul(fb);
                            final int xk = xBase + (k + 8 * word + j) * MR;
                            FloatVector x = FloatVector.broadcast(F, xp[xk]);
                            a0 = wa.fma(x, a0);
                            b0 = wb.fma(x, b0);
                            x = FloatVector.broadcast(F, xp[xk + 1]);
                            a1 = wa.fma(x, a1);
                            b1 = wb.fma(x, b1);
                            x = FloatVector.broadcast(F, xp[xk + 2]);
                            a2 = wa.fma(x, a2);
                            b2 = wb.fma(x, b2);
                            x = FloatVector.broadcast(F, xp[xk + 3]);
                            a3 = wa.fma(x, a3);
                            b3 = wb.fma(x, b3);
                            x = FloatVector.broadcast(F, xp[xk + 4]);
                            a4 = wa.fma(x, a4);
                            b4 = wb.fma(x, b4);
                            x = FloatVector.broadcast(F, xp[xk + 5]);
                            a5 = wa.fma(x, a5);
                            b5 = wb.fma(x, b5);
                        }
                    }
                }
                a0.intoArray(out, 0);
                a1.intoArray(out, L);
                a2.intoArray(out, 2 * L);
                a3.intoArray(out, 3 * L);
                a4.intoArray(out, 4 * L);
                a5.intoArray(out, 5 * L);
                b0.intoArray(out, 6 * L);
                b1.intoArray(out, 7 * L);
                b2.intoArray(out, 8 * L);
                b3.intoArray(out, 9 * L);
                b4.intoArray(out, 10 * L);
                b5.intoArray(out, 11 * L);
                final int colA = 2 * pair * L;
                final int widthA = Math.min(L, n - colA);
                final int widthB = Math.min(L, n - colA - L);
                for (int r = 0; r < Math.min(MR, rows - b * MR); r++) {
                    final int at = (m0 + b * MR + r) * n + colA;
                    System.arraycopy(out, r * L, y, at, widthA);
                    if (widthB > 0) {
                        System.arraycopy(out, (MR + r) * L, y, at + L, widthB);
                    }
                }
            }
        }
    }
}
