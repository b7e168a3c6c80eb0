package io.nvfp4.simd;

import io.nvfp4.backend.Backend;
import io.nvfp4.backend.PreparedWeight;
import io.nvfp4.format.BlockFormat;
import io.nvfp4.quantize.Nvfp4Recipe;
import io.nvfp4.tensor.QuantizedMatrix;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * An NVFP4 or MXFP4 weight [N x K] repacked for the kernels: rows in groups of {@code L} (the float
 * lanes), so that one int lane holds one row and a vector holds the same columns of L rows.
 *
 * <h2>Layout</h2>
 * K is padded to {@code kp} (the block multiple of the source, so 16 or 32), N to whole pairs of
 * groups with zero rows. In the source a row's codes are {@code kp / 2} bytes, two per byte, low
 * nibble first; read as little-endian ints, word {@code o} holds the codes of columns
 * {@code 8o .. 8o+7} with column {@code 8o+j} in bits {@code 4j .. 4j+3}. The packed codes keep those
 * words and transpose them so that one int lane is one row, and interleave the two groups of a
 * pair step by step, so that a GEMV over a pair reads one sequential stream: pair {@code p}, 16-column
 * step {@code s}, group {@code h} of the pair (0 or 1), word {@code w} of the step (0 or 1), lane
 * {@code i} (row {@code (2p + h) L + i}) is int
 * {@code p * pairCodeInts + s * 4L + h * 2L + w * L + i}. Shifting a step's word vectors right by
 * {@code 4j} and looking the low nibble up in the E2M1 table gives columns {@code 16s + j} and
 * {@code 16s + 8 + j} of L rows. Scale bytes likewise: pair {@code p}, block {@code b}, group {@code h},
 * lane {@code i} at {@code p * pairScaleBytes + b * 2L + h * L + i}.
 *
 * <p>Each weight is then {@code e2m1(code) * f}, where the block factor {@code f} is computed from the
 * scale byte exactly as {@link QuantizedMatrix#blockFactor} defines it ({@code fp32(s * g)},
 * {@code fp32(s / g)} or {@code 2^(e-127)}, NaN for NaN bytes), so the kernels multiply the very
 * floats the scalar dequantizer produces.
 *
 * <h2>Why Java arrays</h2>
 * The packed copy lives in an {@code int[]} and a {@code byte[]}, not in off-heap memory: a vector load
 * from a {@code MemorySegment} checks the segment's bounds, liveness and type each time, an array load
 * one bound that C2 often hoists out of the loop. Measured on the matmul kernels (Zen 5, AVX-512): 15 to
 * 20 % faster. So a weight of more than 2^31 ints of codes (16 G weights) does not fit ({@link #fits});
 * {@link #close()} only marks the weight closed, and the memory goes with the last reference.
 */
final class PackedWeight implements PreparedWeight {
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** The longest array HotSpot allocates. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final QuantizedMatrix weight;
    private final Backend backend;

    /** MXFP4 (E8M0 scales, block 32); else NVFP4 (E4M3 scales, block 16). */
    final boolean mx;
    /** NVFP4: the stored tensor scale g; MX: 1. */
    final float tensorScale;
    /** NVFP4 compressed-tensors: the block factor is s / g rather than s * g. */
    final boolean divides;
    final int n;
    final int k;
    /** K padded to the source's block multiple. */
    final int kp;
    /** Row groups of L rows, an even number (a last odd group is paired with zeros). */
    final int groups;
    final int blocks;
    /** Ints of codes per group pair: {@code kp * L / 4}. */
    final int pairCodeInts;
    /** Scale bytes per group pair: {@code blocks * 2L}. */
    final int pairScaleBytes;
    final int[] codes;
    final byte[] scales;
    private volatile boolean closed;

    private PackedWeight(QuantizedMatrix weight, Backend backend) {
        this.weight = weight;
        this.backend = backend;
        int lanes = Vec.L;
        this.mx = weight.format() == BlockFormat.MXFP4;
        this.tensorScale = weight.tensorScale();
        this.divides = weight.recipe() instanceof Nvfp4Recipe r && r.tensorScaleDivides();
        this.n = Math.toIntExact(weight.rows());
        this.k = Math.toIntExact(weight.columns());
        this.kp = Math.toIntExact(weight.paddedColumns());
        this.groups = 2 * Math.ceilDiv(n, 2 * lanes);
        this.blocks = Math.toIntExact(weight.blocksPerRow());
        this.pairCodeInts = kp * lanes / 4;
        this.pairScaleBytes = blocks * 2 * lanes;
        this.codes = new int[pairCodeInts * (groups / 2)];
        this.scales = new byte[pairScaleBytes * (groups / 2)];
    }

    /** Whether {@code weight}'s packed codes and scales fit in Java arrays (both are counted in longs). */
    static boolean fits(QuantizedMatrix weight) {
        long pairs = Math.ceilDiv(weight.rows(), 2L * Vec.L);
        return pairs * weight.paddedColumns() * Vec.L / 4 <= MAX_ARRAY
                && pairs * weight.blocksPerRow() * 2 * Vec.L <= MAX_ARRAY;
    }

    /** Repacks {@code weight} (NVFP4 or MXFP4, any scale layout); it must {@link #fits fit}. */
    static PackedWeight pack(QuantizedMatrix weight, Backend backend) {
        if (!fits(weight)) {
            throw new IllegalArgumentException(weight + " is too large for the simd kernels' arrays");
        }
        PackedWeight p = new PackedWeight(weight, backend);
        p.fill();
        return p;
    }

    private void fill() {
        int lanes = Vec.L;
        MemorySegment source = weight.codes();
        long rowBytes = weight.codeBytesPerRow();
        int words = kp / 8;
        for (int r = 0; r < n; r++) {
            int group = r / lanes;
            int pair = group / 2;
            int half = group % 2;
            int dst = pair * pairCodeInts + half * 2 * lanes + r % lanes;
            long src = r * rowBytes;
            for (int o = 0; o < words; o++) {
                codes[dst + (o / 2) * 4 * lanes + (o % 2) * lanes] = source.get(INT_LE, src + o * 4L);
            }
            int sdst = pair * pairScaleBytes + half * lanes + r % lanes;
            for (int b = 0; b < blocks; b++) {
                scales[sdst + b * 2 * lanes] = (byte) weight.scaleCode(r, b);
            }
        }
    }

    /** Throws if closed; called once per matmul. */
    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("prepared weight " + weight + " is closed");
        }
    }

    @Override
    public QuantizedMatrix weight() { return weight; }

    @Override
    public Backend backend() { return backend; }

    /** Marks the weight closed: later matmuls fail. The arrays are freed with the last reference to them. */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "simd packed " + weight;
    }
}
